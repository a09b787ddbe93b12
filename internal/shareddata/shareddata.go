// Package shareddata locates the real public datasets that tests and the
// demo read from the shared data folder kept beside the repository
// (../shared/data from the repository root), or from the folder named by
// PEACEOPS_SHARED_DATA.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Env names the variable that overrides the data folder.
const Env = "PEACEOPS_SHARED_DATA"

// Dir returns the shared data folder and whether it exists.
func Dir() (string, bool) {
	if d := os.Getenv(Env); d != "" {
		return d, isDir(d)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", false
	}
	// internal/shareddata/shareddata.go -> repository root -> ../shared/data
	root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	d := filepath.Join(filepath.Dir(root), "shared", "data")
	return d, isDir(d)
}

// Path returns the path of a file in the shared data folder, skipping the
// test with a clear message when the folder or file is absent.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, ok := Dir()
	if !ok {
		tb.Skipf("shared data folder not found (set %s): real-data test skipped", Env)
	}
	p := filepath.Join(append([]string{dir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data file %s not found: real-data test skipped", filepath.Join(elem...))
	}
	return p
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
