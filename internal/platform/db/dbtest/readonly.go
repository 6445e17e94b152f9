package dbtest

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

// ReadOnly makes path (a file or a folder) impossible for this process to write, and
// returns a function that undoes it (also run when the test ends). An ordinary user
// loses the write bits; root, whom modes do not stop, gets the immutable attribute
// (chattr +i), which stops root too. chattr runs in its own process on purpose: opening
// and closing a SQLite file here would drop the locks of this process's connections.
// The test is skipped where neither works (root on a file system without attributes).
func ReadOnly(t testing.TB, path string) (restore func()) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("dbtest: read-only %s: %v", path, err)
	}
	var once sync.Once
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, st.Mode().Perm()&^0o222); err != nil {
			t.Fatalf("dbtest: chmod %s: %v", path, err)
		}
		restore = func() { once.Do(func() { _ = os.Chmod(path, st.Mode().Perm()) }) }
	} else {
		if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
			t.Skipf("dbtest: root cannot make %s read-only here (chattr +i: %v %s)", path, err, out)
		}
		restore = func() {
			once.Do(func() {
				if out, err := exec.Command("chattr", "-i", path).CombinedOutput(); err != nil {
					t.Errorf("dbtest: chattr -i %s: %v %s", path, err, out)
				}
			})
		}
	}
	t.Cleanup(restore)
	return restore
}
