//go:build unix

package db

import (
	"io/fs"
	"syscall"
)

// writable asks the kernel whether this process may write path, without opening it:
// it answers for permissions, read-only mounts and immutable files, also for root.
func writable(path string) error {
	if err := syscall.Access(path, 2 /* W_OK */); err != nil {
		return &fs.PathError{Op: "access", Path: path, Err: err}
	}
	return nil
}
