package web

// OwnPagesForTest exposes web's own page set (login, home, error) to the
// black-box tests.
func OwnPagesForTest() *Pages { return newOwnPages() }
