package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// BenchmarkSQLiteBackupMethods compares, on a copy of a big database, how much each way
// of taking an online SQLite backup disturbs a server that keeps writing and reading:
// VACUUM INTO, the backup API in one step (what db.Backup uses), and the backup API in
// small steps. One iteration runs every method once; the figures are in the log and in
// docs/OPERATIONS.md:
//
//	AMPARO_BENCH_DB=/tmp/bench100k.db go test ./bench/ -run '^$' -bench SQLiteBackupMethods -benchtime 1x -v -timeout 0
func BenchmarkSQLiteBackupMethods(b *testing.B) {
	src := os.Getenv(DBEnv)
	if src == "" {
		b.Skip(DBEnv + " is not set: make a database with `go run ./bench/gen -n 100000 -out /tmp/bench100k.db` (see bench/README.md)")
	}
	t := b
	dir := t.TempDir()
	path := filepath.Join(dir, "amparo.db")
	copyFile(t, src, path)
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ('w:count', '0') ON CONFLICT (key) DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	idle := func(string) (string, error) { time.Sleep(5 * time.Second); return "", nil }
	vacuum := func(out string) (string, error) { return vacuumInto(ctx, path, out) }
	// What Backup does: the API in one step, then the copy's journal mode and its
	// quick_check.
	apiOneStep := func(out string) (string, error) {
		info, err := d.Backup(ctx, out, db.BackupOptions{})
		return fmt.Sprintf("(%.0f MB, with the check of the copy)", float64(info.Bytes)/(1<<20)), err
	}
	apiCopy := func(out string) (string, error) { return apiBackup(ctx, path, out, -1, 0) }
	methods := []struct {
		name string
		run  func(out string) (string, error)
	}{
		{"idle (no backup, 5 s)", idle},
		{"backup API, one step, copy only", apiCopy},
		{"Backup (API + copy's check)", apiOneStep},
		{"VACUUM INTO", vacuum},
		{"idle (no backup, 5 s)", idle},
		{"VACUUM INTO", vacuum},
		{"Backup (API + copy's check)", apiOneStep},
		{"backup API, one step, copy only", apiCopy},
		// Small steps let writers in between, but every write by another connection
		// makes the copy start over: under a steady load it never ends.
		{"backup API, 1000 pages a step", func(out string) (string, error) {
			return apiBackup(ctx, path, out, 1000, 10*time.Millisecond)
		}},
	}
	for i, m := range methods {
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		load := startLoad(d, path)
		start := time.Now()
		note, err := m.run(out)
		took := time.Since(start)
		w, r, walMax := load()
		if err != nil {
			t.Logf("%-30s %6.1fs  %v", m.name, took.Seconds(), err) // a finding, not a failure
			continue
		}
		t.Logf("%-30s %6.1fs  writes %5d (%4.0f/s) p50 %5.1f ms p99 %6.1f ms max %6.1f ms | reads %5d p50 %5.1f ms p99 %6.1f ms | WAL max %4.0f MB %s",
			m.name, took.Seconds(), len(w), float64(len(w))/took.Seconds(), pct(w, 50), pct(w, 99), pct(w, 100),
			len(r), pct(r, 50), pct(r, 99), float64(walMax)/(1<<20), note)
		os.Remove(out)
	}
}

// startLoad runs one writer (small transactions, as the server's one writer connection
// does) and two readers (a page of the case list) until the returned function is
// called; that returns their latencies in ms and the largest WAL size seen.
func startLoad(d *db.DB, path string) func() (writes, reads []float64, walMax int64) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var wg sync.WaitGroup
	var writes, reads []float64
	var walMax int64
	wg.Add(4)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			t0 := time.Now()
			err := d.InTx(ctx, func(ctx context.Context) error {
				_, err := d.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES (?, ?)`, fmt.Sprintf("m:%d:%d", time.Now().UnixNano(), i), "x")
				return err
			})
			if err == nil {
				mu.Lock()
				writes = append(writes, ms(time.Since(t0)))
				mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	for r := 0; r < 2; r++ {
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				rows, err := d.Query(ctx, `SELECT id, enc_given_names FROM cases ORDER BY updated_at DESC LIMIT 25`)
				if err == nil {
					for rows.Next() {
					}
					rows.Close()
					mu.Lock()
					reads = append(reads, ms(time.Since(t0)))
					mu.Unlock()
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if st, err := os.Stat(path + "-wal"); err == nil {
				mu.Lock()
				walMax = max(walMax, st.Size())
				mu.Unlock()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	return func() ([]float64, []float64, int64) {
		cancel()
		wg.Wait()
		return writes, reads, walMax
	}
}

// apiBackup copies the database with SQLite's online backup API on a connection of its
// own, pages at a time (-1: all in one step), sleeping between steps.
func apiBackup(ctx context.Context, path, out string, pages int32, pause time.Duration) (string, error) {
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return "", err
	}
	defer c.Close()
	conn, err := c.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	steps, restarts, left := 0, 0, 0
	deadline := time.Now().Add(60 * time.Second)
	err = conn.Raw(func(dc any) error {
		b, err := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		}).NewBackup(out)
		if err != nil {
			return err
		}
		for {
			more, err := b.Step(pages)
			steps++
			if err != nil {
				b.Finish()
				return err
			}
			if !more {
				return b.Finish()
			}
			// A write by another connection makes the next step start over.
			if r := b.Remaining(); r > left && steps > 1 {
				restarts++
				left = r
			} else {
				left = r
			}
			if time.Now().After(deadline) {
				b.Finish()
				return fmt.Errorf("did not finish in 60 s: %d steps, restarted %d times by the writes", steps, restarts)
			}
			time.Sleep(pause)
		}
	})
	return fmt.Sprintf("(%d steps, %d restarts)", steps, restarts), err
}

// vacuumInto copies the database with VACUUM INTO on a connection of its own.
func vacuumInto(ctx context.Context, path, out string) (string, error) {
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return "", err
	}
	st, err := os.Stat(out)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("(%.0f MB)", float64(st.Size())/(1<<20)), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct returns the p-th percentile (nearest rank) of the latencies; 100 is the maximum.
func pct(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
