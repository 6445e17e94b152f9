//go:build !unix

package secure

import (
	"io/fs"
	"os"
)

// checkPrivate does nothing here: outside Unix, file access is governed by ACLs that
// fs.FileMode does not describe. Protect the key file with the platform's own tools.
func checkPrivate(path string, info fs.FileInfo) error { return nil }

// keepOwner does nothing here: the replacement file gets the default ACL of its folder.
func keepOwner(f *os.File, old fs.FileInfo) error { return nil }

// syncDir does nothing here: directories cannot be opened for syncing on every platform.
func syncDir(dir string) {}
