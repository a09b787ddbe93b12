// Package e2e holds the end-to-end tests of peaceops: they build the real
// binary once, run its subcommands as an operator would (flags, standard
// input, exit codes), start `peaceops serve` as separate processes on port
// 0 and drive them over HTTP and in a real browser (Debian's chromium
// through chromedp).
//
// The tests run on a fresh SQLite file each, and on PostgreSQL when
// PEACEOPS_TEST_POSTGRES holds a URL (each test gets its own schema). The
// browser test runs when chromium is installed (PEACEOPS_TEST_CHROMIUM, or
// /usr/bin/chromium). PEACEOPS_TEST_REQUIRE=postgres,browser turns a
// missing database or browser into a failure instead of a skip, as CI
// wants. A failed browser test saves a screenshot of the page; run with
// `go test -artifacts -outputdir DIR ./e2e/` to keep it.
//
// What does not live here: tests of one package's behaviour (they sit next
// to its code and are faster there). These tests check what only the whole
// binary shows: wiring, configuration, process lifecycle, several servers
// sharing one database, and the operator's tools working on real files.
package e2e
