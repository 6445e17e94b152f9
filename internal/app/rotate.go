package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// EncryptedColumn is one column that holds field ciphertexts (secure.Keyring.Encrypt),
// one per row. Key rotation and "amparo keys status" walk every registered column, so a
// capability that encrypts a column must register it (RegisterEncrypted, from its wire
// file): a column left out keeps its old key forever, and that key can never be removed.
type EncryptedColumn struct {
	Table    string // table name
	IDColumn string // a unique text key of the table, usually "id"
	Column   string // the column with the ciphertexts ('' or NULL when empty)
	// AAD returns the associated data the value of row id was encrypted under, exactly
	// as the capability builds it (for example "case:" + id + ":given_names").
	AAD func(id string) string
}

// String names the column as table.column.
func (c EncryptedColumn) String() string { return c.Table + "." + c.Column }

var (
	encMu     sync.Mutex
	encrypted []EncryptedColumn
)

// sqlName is what a registered table or column name may be: it is written into SQL.
var sqlName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// RegisterEncrypted adds columns to the list of encrypted columns. It panics on a bad
// name, a missing AAD or a column registered twice: those are programming mistakes, and
// registration happens in init.
func RegisterEncrypted(cols ...EncryptedColumn) {
	encMu.Lock()
	defer encMu.Unlock()
	for _, c := range cols {
		if !sqlName.MatchString(c.Table) || !sqlName.MatchString(c.IDColumn) || !sqlName.MatchString(c.Column) || c.AAD == nil {
			panic(fmt.Sprintf("app: RegisterEncrypted: bad column %+v", c))
		}
		for _, o := range encrypted {
			if o.Table == c.Table && o.Column == c.Column {
				panic("app: RegisterEncrypted: " + c.String() + " registered twice")
			}
		}
		encrypted = append(encrypted, c)
	}
	sort.Slice(encrypted, func(i, j int) bool { return encrypted[i].String() < encrypted[j].String() })
}

// EncryptedColumns returns every registered column, sorted by table and column.
func EncryptedColumns() []EncryptedColumn {
	encMu.Lock()
	defer encMu.Unlock()
	return append([]EncryptedColumn(nil), encrypted...)
}

func init() {
	// The TOTP seed of each user (internal/platform/auth/totp.go, totpAAD).
	RegisterEncrypted(EncryptedColumn{Table: "users", IDColumn: "id", Column: "totp_secret",
		AAD: func(id string) string { return "user:" + id + ":totp" }})
}

// DefaultRotateBatch is how many rows Rotate reads and rewrites per transaction.
const DefaultRotateBatch = 500

// Rotate re-encrypts with kr's active key every value of every registered column that
// another key encrypted, and returns how many values it rewrote. See rotateColumns.
func Rotate(ctx context.Context, d *db.DB, kr *secure.Keyring, batch int,
	progress func(table, column string, done int)) (int, error) {
	return rotateColumns(ctx, d, kr, EncryptedColumns(), batch, progress)
}

// rotateColumns walks each column by id in order (keyset pagination: WHERE id > last),
// batch rows at a time. Each batch is read, re-encrypted in memory (secure.RotateBatch:
// only values that NeedsRotation) and written back in one short transaction, so the
// servers keep working while it runs; a value is written back only if it is still the
// ciphertext that was read, so an edit a server makes meanwhile is never overwritten
// with the older value (it is left as the server wrote it, and a second run rotates it
// if a server wrote it with an old key). progress, if not nil, gets the running count of
// values rewritten in a column after each batch, and once for a column with none.
//
// A value that cannot be decrypted (corrupt, or under a key missing from kr) does not
// stop the rotation: the others are rotated and the error, naming the rows, is returned
// at the end. Running it again after a complete run rewrites nothing.
func rotateColumns(ctx context.Context, d *db.DB, kr *secure.Keyring, cols []EncryptedColumn,
	batch int, progress func(table, column string, done int)) (int, error) {
	if batch <= 0 {
		batch = DefaultRotateBatch
	}
	total := 0
	var bad []error
	for _, c := range cols {
		n, err := rotateColumn(ctx, d, kr, c, batch, progress)
		total += n
		var be badValues
		switch {
		case errors.As(err, &be):
			bad = append(bad, err)
		case err != nil:
			return total, err
		}
	}
	return total, errors.Join(bad...)
}

// badValues reports values of one column that could not be re-encrypted.
type badValues struct {
	col   EncryptedColumn
	count int
	first error
}

func (b badValues) Error() string {
	return fmt.Sprintf("%s: %d values could not be re-encrypted (left as they are); first: %v", b.col, b.count, b.first)
}

// rotateHook runs between reading a batch and writing it back; tests use it to play a
// server writing at the worst moment.
var rotateHook func(c EncryptedColumn, ids []string)

func rotateColumn(ctx context.Context, d *db.DB, kr *secure.Keyring, c EncryptedColumn, batch int,
	progress func(table, column string, done int)) (int, error) {
	sel := fmt.Sprintf(`SELECT %[1]s, COALESCE(%[2]s, '') FROM %[3]s WHERE %[1]s > ? ORDER BY %[1]s LIMIT ?`,
		c.IDColumn, c.Column, c.Table)
	upd := fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s = ? AND %s = ?`, c.Table, c.Column, c.IDColumn, c.Column)
	done, reported := 0, false
	bad := badValues{col: c}
	after := ""
	for {
		items, err := readBatch(ctx, d, sel, c, after, batch)
		if err != nil {
			return done, fmt.Errorf("rotate %s: %w", c, err)
		}
		if len(items) == 0 {
			break
		}
		after = items[len(items)-1].ID
		fresh, err := secure.RotateBatch(ctx, kr, items)
		if ctx.Err() != nil {
			return done, fmt.Errorf("rotate %s: %w", c, ctx.Err())
		}
		if err != nil {
			for _, e := range unjoin(err) {
				if bad.count++; bad.first == nil {
					bad.first = e
				}
			}
		}
		if rotateHook != nil {
			ids := make([]string, len(fresh))
			for i, it := range fresh {
				ids[i] = it.ID
			}
			rotateHook(c, ids)
		}
		if len(fresh) > 0 {
			old := make(map[string]string, len(items))
			for _, it := range items {
				old[it.ID] = it.Ciphertext
			}
			n, err := writeBatch(ctx, d, upd, fresh, old)
			if err != nil {
				return done, fmt.Errorf("rotate %s: %w", c, err)
			}
			done += n
		}
		if progress != nil && (len(fresh) > 0 || !reported) {
			progress(c.Table, c.Column, done)
			reported = true
		}
		if len(items) < batch {
			break
		}
	}
	if progress != nil && !reported {
		progress(c.Table, c.Column, done)
	}
	if bad.count > 0 {
		return done, bad
	}
	return done, nil
}

// readBatch reads up to n rows with an id after the given one, with their associated
// data. Rows with an empty value are read too, so that the cursor moves past them.
func readBatch(ctx context.Context, d *db.DB, sel string, c EncryptedColumn, after string, n int) ([]secure.Item, error) {
	rows, err := d.Query(ctx, sel, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []secure.Item
	for rows.Next() {
		var it secure.Item
		if err := rows.Scan(&it.ID, &it.Ciphertext); err != nil {
			return nil, err
		}
		it.AAD = c.AAD(it.ID)
		items = append(items, it)
	}
	return items, rows.Err()
}

// writeBatch writes the re-encrypted values in one transaction, each only where the row
// still holds the ciphertext that was read, and returns how many rows it changed.
func writeBatch(ctx context.Context, d *db.DB, upd string, fresh []secure.Item, old map[string]string) (int, error) {
	n := 0
	err := d.InTx(ctx, func(ctx context.Context) error {
		n = 0
		for _, it := range fresh {
			res, err := d.Exec(ctx, upd, it.Ciphertext, it.ID, old[it.ID])
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(k)
		}
		return nil
	})
	return n, err
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// KeyCount is how many values of one column one key encrypted.
type KeyCount struct {
	Column EncryptedColumn
	// ByKey maps key IDs to counts; "" counts values that are not well-formed
	// ciphertexts. Empty values are not counted.
	ByKey map[string]int
}

// CountByKey reads every registered column and counts its values per key ID, for
// "amparo keys status": a key no value names any more can be retired (unless it is the
// blind-index key, and once no backup that still needs it is kept).
func CountByKey(ctx context.Context, d *db.DB, batch int) ([]KeyCount, error) {
	if batch <= 0 {
		batch = DefaultRotateBatch
	}
	var out []KeyCount
	for _, c := range EncryptedColumns() {
		kc := KeyCount{Column: c, ByKey: map[string]int{}}
		sel := fmt.Sprintf(`SELECT %[1]s, COALESCE(%[2]s, '') FROM %[3]s WHERE %[1]s > ? ORDER BY %[1]s LIMIT ?`,
			c.IDColumn, c.Column, c.Table)
		after := ""
		for {
			items, err := readBatch(ctx, d, sel, c, after, batch)
			if err != nil {
				return nil, fmt.Errorf("count keys of %s: %w", c, err)
			}
			for _, it := range items {
				if it.Ciphertext != "" {
					kc.ByKey[secure.KeyID(it.Ciphertext)]++
				}
			}
			if len(items) < batch {
				break
			}
			after = items[len(items)-1].ID
		}
		out = append(out, kc)
	}
	return out, nil
}
