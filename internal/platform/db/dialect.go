package db

import (
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Per-dialect helpers live here and only here, so dialect branches do not spread.

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || // sqlite
		strings.Contains(s, "SQLSTATE 23505") // postgres
}

// IsForeignKeyViolation reports whether err is a foreign-key failure on either engine.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") ||
		strings.Contains(s, "SQLSTATE 23503")
}

// ErrNoRows re-exports sql.ErrNoRows for callers that only import this package.
var ErrNoRows = sql.ErrNoRows

// TimeFormat is the one portable text representation of timestamps in the database:
// UTC, RFC 3339 with fixed-width nanoseconds, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored timestamp.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return time.Time{}, errors.New("db: bad stored time " + s)
	}
	return t.UTC(), nil
}

// Now returns the current time formatted for storage.
func Now() string { return FormatTime(time.Now()) }
