package config_test

import (
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/config"
)

const all = config.WithAddr | config.WithData | config.WithDB | config.WithServer

// cleanEnv clears every AMPARO_* setting, so a test sees only what it sets.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"ADDR", "DATA", "DB", "KEY_FILE", "KEY", "LOG_FORMAT", "LOG_LEVEL",
		"TIMEZONE", "TRUST_PROXY", "BASE_URL", "SESSION_IDLE", "SESSION_MAX", "SMTP_ADDR", "SMTP_FROM"} {
		t.Setenv("AMPARO_"+name, "")
		t.Setenv("AMPARO_"+name+"_FILE", "")
	}
}

// parse registers the flags of mask, parses args and finishes the config.
func parse(t *testing.T, mask int, args ...string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := config.Register(fs, mask)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Finish(mask)
}

func TestDefaults(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	c, err := parse(t, all, "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != dir || c.DB != "sqlite:"+filepath.Join(dir, "amparo.db") ||
		c.KeyFile != filepath.Join(dir, "amparo.key") || c.LogFormat != "text" || c.LogLevel != "info" ||
		c.Timezone != "America/Guayaquil" || c.SessionIdle != 30*time.Minute || c.SessionMax != 12*time.Hour || c.TrustProxy {
		t.Errorf("defaults: %+v", c)
	}
	if c.SQLitePath() != filepath.Join(dir, "amparo.db") {
		t.Errorf("SQLitePath %q", c.SQLitePath())
	}
	// A relative data folder becomes absolute.
	t.Chdir(dir)
	c, err = parse(t, config.WithData, "--data", "rel")
	if err != nil || c.DataDir != filepath.Join(dir, "rel") {
		t.Errorf("relative data folder: %q (%v)", c.DataDir, err)
	}
	// Commands without server flags still get session defaults.
	if c.SessionIdle <= 0 || c.SessionMax <= 0 {
		t.Errorf("sessions without server flags: %v %v", c.SessionIdle, c.SessionMax)
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	t.Setenv("AMPARO_ADDR", "0.0.0.0:9000")
	t.Setenv("AMPARO_DATA", dir)
	t.Setenv("AMPARO_TRUST_PROXY", "true")
	t.Setenv("AMPARO_SESSION_IDLE", "10m")
	t.Setenv("AMPARO_LOG_FORMAT", "json")
	secret := filepath.Join(dir, "db-url")
	if err := os.WriteFile(secret, []byte("postgres://amparo:s3cret@db.internal/amparo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AMPARO_DB_FILE", secret)

	c, err := parse(t, all)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.DataDir != dir || !c.TrustProxy || c.SessionIdle != 10*time.Minute ||
		c.LogFormat != "json" {
		t.Errorf("from the environment: %+v", c)
	}
	if c.DB != "postgres://amparo:s3cret@db.internal/amparo" {
		t.Errorf("AMPARO_DB_FILE: DB = %q", c.DB)
	}
	if c.SQLitePath() != "" {
		t.Errorf("SQLitePath of a PostgreSQL URL: %q", c.SQLitePath())
	}
	// Flags win over the environment.
	c, err = parse(t, all, "--addr", "127.0.0.1:7000", "--db", "sqlite:/tmp/x.db", "--trust-proxy=false")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.DB != "sqlite:/tmp/x.db" || c.TrustProxy {
		t.Errorf("flags over the environment: %+v", c)
	}
	// The plain variable wins over its _FILE form.
	t.Setenv("AMPARO_DB", "sqlite:/tmp/y.db")
	if c, _ := parse(t, all); c.DB != "sqlite:/tmp/y.db" {
		t.Errorf("AMPARO_DB beside AMPARO_DB_FILE: %q", c.DB)
	}
}

// TestEnvironmentMistakes: a value in the environment that cannot be used must stop the
// start like a bad flag does, not be replaced silently by a default. A missing secret
// file is the dangerous case: with AMPARO_DB_FILE unreadable, the server would start on
// an empty SQLite file instead of the PostgreSQL database it was meant to use.
func TestEnvironmentMistakes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, value string }{
		{"AMPARO_DB_FILE", filepath.Join(dir, "missing-secret")},
		{"AMPARO_SESSION_MAX", "forever"},
		{"AMPARO_SESSION_IDLE", "30"},
		{"AMPARO_TRUST_PROXY", "yes please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv(tt.name, tt.value)
			c, err := parse(t, all, "--data", dir)
			if err == nil {
				t.Fatalf("%s=%q accepted silently (db %s, sessions %v/%v, trust proxy %v); want a configuration error naming %s",
					tt.name, tt.value, c.DB, c.SessionIdle, c.SessionMax, c.TrustProxy, tt.name)
			}
			if !config.IsConfigError(err) || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("%s=%q: %v; want a configuration error naming %s", tt.name, tt.value, err, tt.name)
			}
		})
	}
}

// TestProblems: each mistake is a configuration error (exit 2) whose one line names the
// setting and what to do.
func TestProblems(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"unknown db scheme", nil, []string{"--db", "mysql://root@db/amparo"}, []string{"--db", `"mysql:"`, "sqlite:PATH", "postgres://"}},
		{"db without scheme", nil, []string{"--db", "amparo.db"}, []string{"--db", "sqlite:PATH"}},
		{"empty sqlite path", nil, []string{"--db", "sqlite:"}, []string{"--db"}},
		{"empty data folder", nil, []string{"--data", ""}, []string{"--data", "give a folder"}},
		{"addr without port", nil, []string{"--addr", "localhost"}, []string{"--addr", "host:port"}},
		{"log format", nil, []string{"--log-format", "xml"}, []string{"--log-format", "text or json"}},
		{"log level", map[string]string{"AMPARO_LOG_LEVEL": "verbose"}, nil, []string{"AMPARO_LOG_LEVEL", "debug, info, warn or error"}},
		{"idle longer than max", nil, []string{"--session-idle", "2h", "--session-max", "1h"}, []string{"--session-idle", "--session-max"}},
		{"zero idle", nil, []string{"--session-idle", "0s"}, []string{"--session-idle"}},
		{"time zone", map[string]string{"AMPARO_TIMEZONE": "America/Atlantis"}, nil, []string{"AMPARO_TIMEZONE", "America/Atlantis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"--data", dir}, tt.args...)
			_, err := parse(t, all, args...)
			if err == nil {
				t.Fatal("accepted")
			}
			if !config.IsConfigError(err) {
				t.Errorf("%v: not a configuration error", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
		})
	}
	if config.IsConfigError(errors.New("other")) || config.IsConfigError(nil) {
		t.Error("IsConfigError true for a plain error")
	}
}

func TestEnsureDataDir(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	nested := filepath.Join(dir, "a", "b")
	c, err := parse(t, config.WithData, "--data", nested)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDataDir(); err != nil {
		t.Fatalf("new nested folder: %v", err)
	}
	st, err := os.Stat(nested)
	if err != nil || !st.IsDir() || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("data folder: %v, mode %v: want a folder closed to group and others", err, st.Mode())
	}
	left, _ := os.ReadDir(nested)
	if len(left) != 0 {
		t.Errorf("the write probe was left behind: %v", left)
	}

	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(file, "data"), file} {
		c, err := parse(t, config.WithData, "--data", p)
		if err != nil {
			t.Fatal(err)
		}
		err = c.EnsureDataDir()
		if err == nil || !config.IsConfigError(err) || !strings.Contains(err.Error(), "--data "+p) ||
			!strings.Contains(err.Error(), "choose") {
			t.Errorf("data folder %s: %v; want a configuration error naming it and the fix", p, err)
		}
	}
	if os.Geteuid() != 0 { // root may write anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		c, _ := parse(t, config.WithData, "--data", ro)
		if err := c.EnsureDataDir(); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("read-only folder: %v", err)
		}
	}
}

func TestListen(t *testing.T) {
	cleanEnv(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	c, err := parse(t, all, "--data", t.TempDir(), "--addr", busy.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := c.Listen()
	if err == nil {
		ln.Close()
		t.Fatal("listened on a port in use")
	}
	if !config.IsConfigError(err) || !strings.Contains(err.Error(), "--addr "+busy.Addr().String()) ||
		!strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "another port") {
		t.Errorf("port in use: %v", err)
	}
	c.Addr = "127.0.0.1:0"
	ln, err = c.Listen()
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	ln.Close()
}
