//go:build !unix

package db

import (
	"io/fs"
	"os"
)

// writable approximates the Unix access(2) check where there is none: a file whose
// mode has no write bit is read-only.
func writable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o200 == 0 {
		return &fs.PathError{Op: "access", Path: path, Err: fs.ErrPermission}
	}
	return nil
}
