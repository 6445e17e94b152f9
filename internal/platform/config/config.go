// Package config builds Amparo's one Config from flags and AMPARO_* environment
// variables (flags win), and validates it before anything starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// Config is everything an Amparo process needs to know at start.
type Config struct {
	Addr        string        // listen address
	DataDir     string        // folder for the SQLite file, key file, attachments
	DB          string        // sqlite:PATH or postgres:// URL
	KeyFile     string        // field-encryption key file
	Key         string        // field-encryption keys inline (AMPARO_KEY), instead of KeyFile
	LogFormat   string        // "text" or "json"
	LogLevel    string        // "debug", "info", "warn", "error"
	TrustProxy  bool          // honour X-Forwarded-* from a reverse proxy
	BaseURL     string        // public URL, for links shown to admins (password resets)
	Timezone    string        // display zone
	SessionIdle time.Duration // idle session timeout
	SessionMax  time.Duration // absolute session lifetime
	SMTPAddr    string        // optional: host:port to send reset links by mail
	SMTPFrom    string

	problems []string // environment mistakes, reported by Finish
}

// Error is a configuration problem: one line saying what to fix. The program exits 2.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func bad(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// IsConfigError reports whether err is a configuration problem.
func IsConfigError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

func (c *Config) env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	// *_FILE variants let secrets come from files (container secrets). A file that is
	// named but cannot be read is a mistake, never a reason to fall back to a default.
	if p, ok := os.LookupEnv(name + "_FILE"); ok && p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			c.problem("%s_FILE %s: cannot read it (%v); fix the path or its permissions", name, p, unwrapPath(err))
			return def
		}
		return strings.TrimSpace(string(b))
	}
	return def
}

// problem records a mistake found while reading the environment; Finish reports the first.
func (c *Config) problem(format string, a ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, a...))
}

// Which flags a subcommand takes.
const (
	WithAddr = 1 << iota
	WithData
	WithDB
	WithServer // log, proxy, sessions, base URL
)

// Register adds the flags chosen by mask to fs, with defaults from the environment, and
// returns the Config they fill. Call Finish after fs.Parse.
func Register(fs *flag.FlagSet, mask int) *Config {
	c := &Config{}
	if mask&WithAddr != 0 {
		fs.StringVar(&c.Addr, "addr", c.env("AMPARO_ADDR", "127.0.0.1:8080"), "listen address (AMPARO_ADDR)")
	}
	fs.StringVar(&c.DataDir, "data", c.env("AMPARO_DATA", "./amparo-data"), "data folder: SQLite file, key file, attachments (AMPARO_DATA)")
	if mask&WithDB != 0 {
		fs.StringVar(&c.DB, "db", c.env("AMPARO_DB", ""), "database: sqlite:PATH or postgres://URL; default sqlite:<data>/amparo.db (AMPARO_DB)")
	}
	fs.StringVar(&c.KeyFile, "key-file", c.env("AMPARO_KEY_FILE", ""), "field-encryption key file; default <data>/amparo.key (AMPARO_KEY_FILE)")
	c.Key = os.Getenv("AMPARO_KEY") // no _FILE form: AMPARO_KEY_FILE is the key file itself
	c.LogFormat = c.env("AMPARO_LOG_FORMAT", "text")
	c.LogLevel = c.env("AMPARO_LOG_LEVEL", "info")
	c.Timezone = c.env("AMPARO_TIMEZONE", "America/Guayaquil")
	if mask&WithServer != 0 {
		fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (AMPARO_LOG_FORMAT)")
		fs.BoolVar(&c.TrustProxy, "trust-proxy", c.envBool("AMPARO_TRUST_PROXY"), "trust X-Forwarded-For/Proto from a reverse proxy (AMPARO_TRUST_PROXY)")
		fs.StringVar(&c.BaseURL, "base-url", c.env("AMPARO_BASE_URL", ""), "public URL of this server, for links shown to admins (AMPARO_BASE_URL)")
		fs.DurationVar(&c.SessionIdle, "session-idle", c.envDuration("AMPARO_SESSION_IDLE", 30*time.Minute), "idle session timeout (AMPARO_SESSION_IDLE)")
		fs.DurationVar(&c.SessionMax, "session-max", c.envDuration("AMPARO_SESSION_MAX", 12*time.Hour), "absolute session lifetime (AMPARO_SESSION_MAX)")
	} else {
		c.SessionIdle, c.SessionMax = 30*time.Minute, 12*time.Hour
	}
	c.SMTPAddr = c.env("AMPARO_SMTP_ADDR", "")
	c.SMTPFrom = c.env("AMPARO_SMTP_FROM", "")
	return c
}

func (c *Config) envBool(name string) bool {
	v := c.env(name, "")
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		c.problem("%s %q: use true or false", name, v)
	}
	return b
}

func (c *Config) envDuration(name string, def time.Duration) time.Duration {
	v := c.env(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.problem("%s %q: give a duration such as 30m or 12h", name, v)
		return def
	}
	return d
}

// Finish fills defaults that depend on other settings and validates everything that
// can be checked without side effects. needData says whether the data folder must be
// writable (always for SQLite).
func (c *Config) Finish(mask int) error {
	if len(c.problems) > 0 {
		return bad("%s", c.problems[0])
	}
	if c.DataDir == "" {
		return bad("--data: empty; give a folder such as ./amparo-data")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return bad("--data %q: %v", c.DataDir, err)
	}
	c.DataDir = abs
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "amparo.db")
	}
	if mask&WithDB != 0 || c.DB != "" {
		if _, _, err := db.ParseURL(c.DB); err != nil {
			scheme, _, _ := strings.Cut(c.DB, ":")
			return bad("--db: unknown database %q; use sqlite:PATH or postgres://user@host/db", scheme+":")
		}
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "amparo.key")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return bad("--log-format %q: use text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("AMPARO_LOG_LEVEL %q: use debug, info, warn or error", c.LogLevel)
	}
	if mask&WithAddr != 0 {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return bad("--addr %q: give host:port, for example 127.0.0.1:8080", c.Addr)
		}
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			return bad("AMPARO_SMTP_ADDR %q: give host:port of the mail relay", c.SMTPAddr)
		}
		if !strings.Contains(c.SMTPFrom, "@") {
			return bad("AMPARO_SMTP_FROM: give the sender address of reset mails, for example amparo@example.org")
		}
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		return bad("--session-idle must be positive and not longer than --session-max")
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return bad("AMPARO_TIMEZONE %q: unknown time zone", c.Timezone)
	}
	return nil
}

// EnsureDataDir creates the data folder (0700) and proves it is writable.
func (c *Config) EnsureDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return bad("--data %s: cannot create the folder (%v); choose a folder you can write to", c.DataDir, unwrapPath(err))
	}
	probe, err := os.CreateTemp(c.DataDir, ".write-test-*")
	if err != nil {
		return bad("--data %s: folder is not writable (%v); fix its permissions or choose another", c.DataDir, unwrapPath(err))
	}
	name := probe.Name()
	probe.Close()
	os.Remove(name)
	return nil
}

// SQLitePath returns the file path when the database is SQLite, or "".
func (c *Config) SQLitePath() string {
	d, p, err := db.ParseURL(c.DB)
	if err != nil || d != db.SQLite {
		return ""
	}
	return p
}

// Listen opens the listening socket, turning "address in use" into a clear line.
func (c *Config) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, bad("--addr %s: cannot listen (%v); stop the other program or choose another port", c.Addr, unwrapPath(err))
	}
	return ln, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}
