package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// cleanEnv clears every AMPARO_* setting the command line reads, so these tests run on
// their flags alone whatever the environment holds.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"ADDR", "DATA", "DB", "KEY_FILE", "KEY", "LOG_FORMAT", "LOG_LEVEL",
		"TIMEZONE", "TRUST_PROXY", "BASE_URL", "SESSION_IDLE", "SESSION_MAX", "SMTP_ADDR", "SMTP_FROM"} {
		t.Setenv("AMPARO_"+name, "")
		t.Setenv("AMPARO_"+name+"_FILE", "")
	}
}

// runCmd runs the command line and returns the exit code and both outputs.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// oneLine fails unless s is exactly one line holding every one of want.
func oneLine(t *testing.T, what, s string, want ...string) {
	t.Helper()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("%s: stderr should be one line, got:\n%s", what, s)
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s: stderr %q does not mention %q", what, s, w)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	cleanEnv(t)
	code, out, errOut := runCmd(t, "version")
	if code != 0 || !regexp.MustCompile(`^amparo \S+\n$`).MatchString(out) || errOut != "" {
		t.Errorf("version: exit %d, out %q, err %q", code, out, errOut)
	}
	for _, arg := range []string{"help", "-h", "--help"} {
		code, out, _ := runCmd(t, arg)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0", arg, code)
		}
		for _, cmd := range []string{"serve", "migrate", "version", "demo"} {
			if !regexp.MustCompile(`(?m)^  ` + cmd + ` +\S`).MatchString(out) {
				t.Errorf("%s: command %s not listed with its summary:\n%s", arg, cmd, out)
			}
		}
	}
	if code, out, _ := runCmd(t); code != 2 || !strings.Contains(out, "Commands:") {
		t.Errorf("no arguments: exit %d, want 2 with the usage", code)
	}
	for _, cmd := range []string{"serve", "migrate", "demo", "version"} {
		code, _, errOut := runCmd(t, cmd, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: amparo "+cmd) {
			t.Errorf("%s --help: exit %d, want 0 with its usage\n%s", cmd, code, errOut)
		}
	}
}

func TestUsageMistakes(t *testing.T) {
	cleanEnv(t)
	code, out, errOut := runCmd(t, "sevre")
	if code != 2 || out != "" {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	oneLine(t, "unknown command", errOut, `"sevre"`, "amparo help")

	code, _, errOut = runCmd(t, "version", "extra")
	if code != 2 {
		t.Errorf("unexpected argument: exit %d, want 2", code)
	}
	oneLine(t, "unexpected argument", errOut, `"extra"`)

	if code, _, _ := runCmd(t, "serve", "--no-such-flag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}

// TestConfigurationProblems: each start-up mistake exits 2 with one line that says what
// to fix, before anything else is written.
func TestConfigurationProblems(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown database scheme", []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--db", "mysql://root@db/amparo"},
			[]string{"--db", `"mysql:"`, "sqlite:PATH", "postgres://"}},
		{"unknown database scheme (migrate)", []string{"migrate", "--data", dir, "--db", "oracle:amparo"},
			[]string{"--db", "sqlite:PATH"}},
		{"data folder under a file", []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(file, "data")},
			[]string{"--data", filepath.Join(file, "data"), "cannot create"}},
		{"data folder under a file (migrate)", []string{"migrate", "--data", filepath.Join(file, "data")},
			[]string{"--data", "cannot create"}},
		{"data folder under a file (demo)", []string{"demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(file, "data")},
			[]string{"--data", "cannot create"}},
		{"port in use", []string{"serve", "--addr", busy.Addr().String(), "--data", dir},
			[]string{"--addr", busy.Addr().String(), "cannot listen", "choose another port"}},
		{"address without a port", []string{"serve", "--addr", "localhost", "--data", dir},
			[]string{"--addr", "host:port"}},
		{"bad log format", []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--log-format", "xml"},
			[]string{"--log-format", "text or json"}},
		{"idle longer than max", []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--session-idle", "13h"},
			[]string{"--session-idle"}},
		{"empty data folder", []string{"migrate", "--data", ""},
			[]string{"--data"}},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, tt.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2\nstdout: %s\nstderr: %s", tt.name, code, out, errOut)
			continue
		}
		if out != "" {
			t.Errorf("%s: stdout %q, want nothing", tt.name, out)
		}
		oneLine(t, tt.name, errOut, tt.want...)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "read-only")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCmd(t, "migrate", "--data", ro)
		if code != 2 {
			t.Errorf("read-only data folder: exit %d, want 2", code)
		}
		oneLine(t, "read-only data folder", errOut, "--data", "not writable")
	}
}

func TestMigrate(t *testing.T) {
	cleanEnv(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			args := []string{"migrate", "--data", filepath.Join(t.TempDir(), "new-folder")}
			if engine == "postgres" {
				args = append(args, "--db", dbtest.PostgresURL(t))
			}
			code, out, errOut := runCmd(t, args...)
			m := regexp.MustCompile(`^database is at schema version (\d+)\n$`).FindStringSubmatch(out)
			if code != 0 || m == nil || m[1] == "0" {
				t.Fatalf("migrate: exit %d, out %q, err %q", code, out, errOut)
			}
			// Twice is fine: nothing left to do, same version.
			code, again, errOut := runCmd(t, args...)
			if code != 0 || again != out {
				t.Errorf("second migrate: exit %d, out %q (first %q), err %q", code, again, out, errOut)
			}
		})
	}
}

// lockedBuf is a buffer the server goroutine writes while the test reads.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var runningRe = regexp.MustCompile(`running at (http://\S+/)`)

// startCmd runs a serving command until the test cancels it, and returns its base URL
// and a function that stops it and returns the exit code.
func startCmd(t *testing.T, args ...string) (string, *lockedBuf, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuf{}, &lockedBuf{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, out, errOut) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := runningRe.FindStringSubmatch(out.String()); m != nil {
			stop := func() int {
				cancel()
				select {
				case code := <-done:
					return code
				case <-time.After(30 * time.Second):
					t.Fatalf("%s did not stop within 30s", args[0])
					return -1
				}
			}
			return strings.TrimSuffix(m[1], "/"), out, stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("%s exited %d before serving\nstdout: %s\nstderr: %s", args[0], code, out, errOut)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%s not serving after 60s\nstdout: %s\nstderr: %s", args[0], out, errOut)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServe starts the server on a free port, checks it answers, and stops it as
// Ctrl+C would: exit 0.
func TestServe(t *testing.T) {
	cleanEnv(t)
	base, _, stop := startCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-format", "json")
	if code, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, body := get(t, base+"/login"); code != 200 || !strings.Contains(body, `<form id="login"`) {
		t.Errorf("/login: %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve stopped with exit %d, want 0", code)
	}
}

// TestDemo: the demo starts on an empty folder, prints one login per role, and starts
// again on the same folder with the same logins.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("demo start-up hashes a password per demo user")
	}
	cleanEnv(t)
	dir := t.TempDir()
	base, out, stop := startCmd(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("demo stopped with exit %d", code)
	}
	first := out.String()
	for _, role := range []string{"admin", "case_worker", "case_supervisor", "shelter_coordinator",
		"reintegration_officer", "local_focal_point", "national_coordinator", "prosecution_liaison",
		"monitoring", "data_protection_officer"} {
		if !regexp.MustCompile(`(?m)^\S+@amparo\.demo +\S+ +` + role + ` `).MatchString(first) {
			t.Errorf("no demo login for %s:\n%s", role, first)
		}
	}
	_, out, stop = startCmd(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	stop()
	logins := func(s string) string {
		return strings.Join(regexp.MustCompile(`(?m)^\S+@amparo\.demo .*$`).FindAllString(s, -1), "\n")
	}
	if logins(out.String()) != logins(first) {
		t.Errorf("second demo start printed other logins:\n%s\nfirst:\n%s", logins(out.String()), logins(first))
	}
}
