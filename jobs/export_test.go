package jobs

import "github.com/peaceops/peaceops/web"

// Pages returns the job pages, for the catalogue test.
func Pages() *web.Pages { return newPages() }
