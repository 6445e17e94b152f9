package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite's primary result codes that mean the database cannot be read or written now,
// through no fault of the request: busy or locked past busy_timeout, out of memory,
// read-only (a file, folder or mount), an I/O error, a full disk, a file that cannot be
// opened, a broken lock protocol.
var sqliteUnavailable = map[int]bool{5: true, 6: true, 7: true, 8: true, 10: true, 13: true, 14: true, 15: true}

// IsUnavailable reports whether err (anywhere in its chain) says that the database
// cannot be read or written at the moment, as opposed to a mistake in the request or
// the program: the connection is lost or refused, the handle is closed, the server is
// shutting down, read-only, out of room or connections, or a lock was not granted in
// time (SQLite's busy_timeout, PostgreSQL's lock_timeout). The web layer answers those
// with 503 "try again later" instead of 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return sqliteUnavailable[se.Code()&0xff]
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources: disk full, too many connections
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutting down, cannot connect now
			pe.Code == "55P03", // lock_not_available (lock_timeout)
			pe.Code == "25006": // read_only_sql_transaction (a standby, or default_transaction_read_only)
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	// database/sql does not export it.
	return strings.Contains(err.Error(), "sql: database is closed")
}
