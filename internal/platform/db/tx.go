package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

type txKey struct{}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// InTx runs fn inside a transaction carried in ctx. If ctx already carries one, fn joins
// it, so services can compose helpers that each ask for a transaction. The transaction
// commits when fn returns nil and rolls back otherwise (also on panic).
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		if cerr := tx.Commit(); cerr != nil {
			err = fmt.Errorf("db: commit: %w", cerr)
		}
	}()
	return fn(context.WithValue(ctx, txKey{}, tx))
}

// InTxn reports whether ctx carries a transaction.
func InTxn(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*sql.Tx)
	return ok
}

func (d *DB) forWrite(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return d.write
}

func (d *DB) forRead(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return d.read
}

// Exec runs a statement with ? placeholders, inside the ctx transaction if there is one.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.forWrite(ctx).ExecContext(ctx, d.Rebind(q), args...)
}

// Query runs a query with ? placeholders on the read pool (or the ctx transaction).
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.forRead(ctx).QueryContext(ctx, d.Rebind(q), args...)
}

// QueryRow runs a one-row query with ? placeholders on the read pool (or the ctx
// transaction).
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.forRead(ctx).QueryRowContext(ctx, d.Rebind(q), args...)
}

// QueryRowWrite runs a one-row query on the writer (or the ctx transaction); use it for
// INSERT ... RETURNING and for reads that must see the latest committed write.
func (d *DB) QueryRowWrite(ctx context.Context, q string, args ...any) *sql.Row {
	return d.forWrite(ctx).QueryRowContext(ctx, d.Rebind(q), args...)
}

// Rebind turns ? placeholders into $1, $2… for PostgreSQL. Question marks inside
// single-quoted string literals are left alone.
func (d *DB) Rebind(q string) string {
	if d.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
