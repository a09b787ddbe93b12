package results

import "github.com/peaceops/peaceops/web"

// Pages returns the page set, for the translation test.
func Pages() *web.Pages { return newPages() }
