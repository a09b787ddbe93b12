//go:build !linux

package e2e_test

import "syscall"

// dieWithParent is a no-op where the kernel cannot tie a child's life to
// its parent: the tests' cleanups stop the servers.
func dieWithParent() *syscall.SysProcAttr { return nil }
