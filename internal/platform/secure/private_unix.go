//go:build unix

package secure

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a key file that group or others may read, write or execute: only
// the user that runs Amparo may hold the master keys.
func checkPrivate(path string, info fs.FileInfo) error {
	if perm := info.Mode().Perm(); perm&^0o600 != 0 {
		return fmt.Errorf("secure: key file %s has mode %04o; only its owner may read it "+
			"(0600 or stricter): run chmod 600 %s", path, perm, path)
	}
	return nil
}

// keepOwner gives the replacement key file f the owner of the old one: a rotation run as
// root must not lock the server's user out of its own keys. Under mode 0600 only the
// user matters, so the group is copied only along with it.
func keepOwner(f *os.File, old fs.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == os.Geteuid() {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// syncDir makes a rename in dir durable. It is best effort: the rename has already
// happened, and a failure here only widens the window in which a crash could undo it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
