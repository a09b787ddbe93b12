package audit

import "github.com/peaceops/peaceops/web"

// NewPages gives the black-box tests the module's page set, to check its
// translations.
func NewPages() *web.Pages { return newPages() }
