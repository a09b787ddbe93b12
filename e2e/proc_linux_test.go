package e2e_test

import "syscall"

// dieWithParent makes the kernel kill a child process when the test binary
// dies (a panic on timeout skips the cleanups that stop servers).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
