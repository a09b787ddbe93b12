package forces

import "github.com/peaceops/peaceops/web"

// Pages returns the module's page set, for the translation check.
func Pages() *web.Pages { return newPages() }
