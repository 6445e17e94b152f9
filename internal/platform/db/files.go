package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadOnlyError names the file or folder of a SQLite database that this process cannot
// write. Without it the first write fails deep inside start-up ("geo: seed: attempt to
// write a readonly database"), which names neither the file nor the fix; the usual
// cause is a command once run as root that left a -wal or -shm file root's own.
type ReadOnlyError struct {
	What string // "database file", "-wal file", "-shm file", "folder"
	Path string
	Err  error
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("the SQLite %s %s cannot be written (%v): the user running amparo must be able to write "+
		"the database file, its -wal and -shm files and their folder", e.What, e.Path, reason(e.Err))
}

// Unwrap exposes the cause.
func (e *ReadOnlyError) Unwrap() error { return e.Err }

// reason is the system's word for err without the path it repeats.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sqliteFiles lists what SQLite writes for a database at path, with its name for
// people: the folder (where it creates the -wal and -shm files), the file and those two.
func sqliteFiles(path string) [][2]string {
	return [][2]string{{"folder", filepath.Dir(path)}, {"database file", path},
		{"-wal file", path + "-wal"}, {"-shm file", path + "-shm"}}
}

// prepareSQLiteFiles creates the database file with mode 0600 when it does not exist
// (SQLite would make it 0644, readable by every local user, and gives its -wal and -shm
// files the database file's mode), takes group and world access away from existing
// files made by older versions, and checks that each file that exists, and the folder,
// can be written, returning a *ReadOnlyError for the first that cannot.
//
// It never opens an existing file: closing a descriptor of a SQLite file drops every
// POSIX lock this process holds on it, including those of other open connections.
func prepareSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("db: create %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		if writable(filepath.Dir(path)) != nil {
			return &ReadOnlyError{What: "folder", Path: filepath.Dir(path), Err: err}
		}
		return fmt.Errorf("db: create %s: %w", path, err)
	}
	for _, f := range sqliteFiles(path) {
		st, err := os.Stat(f[1])
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("db: %s: %w", f[1], err)
		}
		if f[0] != "folder" && st.Mode().Perm()&0o077 != 0 {
			// Best effort: a file of another owner keeps its mode, and the check
			// below says whether we can use it at all.
			_ = os.Chmod(f[1], st.Mode().Perm()&^0o077)
		}
		if err := writable(f[1]); err != nil {
			return &ReadOnlyError{What: f[0], Path: f[1], Err: err}
		}
	}
	return nil
}
