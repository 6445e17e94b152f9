package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// keyCheckPrefix opens the app_meta keys that record the check value of each key the
// database holds (or will hold) data under: "key_check:<key id>" → check value.
const keyCheckPrefix = "key_check:"

// KeySource names where the keys of c come from, for messages: the key file's path or
// AMPARO_KEY.
func KeySource(c *config.Config) string {
	if c.Key != "" {
		return "AMPARO_KEY"
	}
	return "key file " + c.KeyFile
}

// LoadKeys reads the keys of c, from AMPARO_KEY or the key file. A key file that cannot
// be used (missing, readable by others, a damaged key line) is a configuration error: one
// line and exit 2, like a wrong key file.
func LoadKeys(c *config.Config) (*secure.Keyring, error) {
	kr, err := secure.LoadKeyringFromEnvOrFile(c.Key, c.KeyFile)
	if err != nil {
		return nil, &config.Error{Msg: err.Error()}
	}
	return kr, nil
}

// RecordedKeyChecks returns the check values the database recorded, by key ID.
func RecordedKeyChecks(ctx context.Context, d *db.DB) (map[string]string, error) {
	rows, err := d.Query(ctx, `SELECT key, value FROM app_meta WHERE substr(key, 1, ?) = ?`,
		len(keyCheckPrefix), keyCheckPrefix)
	if err != nil {
		return nil, fmt.Errorf("app: read key checks: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("app: read key checks: %w", err)
		}
		out[strings.TrimPrefix(k, keyCheckPrefix)] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("app: read key checks: %w", err)
	}
	return out, nil
}

// CheckKeys refuses keys that are not the database's, before anything reads or writes
// with them: a wrong key file would otherwise answer 500 on every read, or worse, write
// new data the right key file cannot read. Every check value the database recorded must
// be the check value of the key of that ID in kr (a missing key is refused too: the data
// under it would be unreadable). A key of kr not recorded yet (a database from before
// check values, a key staged by hand) is recorded once it decrypts a sample of the data
// written under it, or at once when no data names it. The error is one line, a
// configuration error (exit 2), naming source and the key.
func CheckKeys(ctx context.Context, d *db.DB, kr *secure.Keyring, source string) error {
	recorded, err := RecordedKeyChecks(ctx, d)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(recorded))
	for id := range recorded {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := compareCheck(kr, id, recorded[id], source); err != nil {
			return err
		}
	}
	for _, id := range kr.KeyIDs() {
		if _, ok := recorded[id]; ok {
			continue
		}
		if err := sampleDecrypts(ctx, d, kr, id, source); err != nil {
			return err
		}
		if err := RecordKeyCheck(ctx, d, kr, id, source); err != nil {
			return err
		}
	}
	return nil
}

// RecordKeyCheck records the check value of key id of kr, for a key that is new to the
// database (just generated, or checked by CheckKeys). If another process recorded a
// different value for the same ID meanwhile, it refuses as CheckKeys does.
func RecordKeyCheck(ctx context.Context, d *db.DB, kr *secure.Keyring, id, source string) error {
	check := kr.CheckValue(id)
	if check == "" {
		return fmt.Errorf("app: record key check: no key %s in %s", id, source)
	}
	if _, err := d.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		keyCheckPrefix+id, check); err != nil {
		return fmt.Errorf("app: record key check of %s: %w", id, err)
	}
	var got string
	if err := d.QueryRowWrite(ctx, `SELECT value FROM app_meta WHERE key = ?`, keyCheckPrefix+id).Scan(&got); err != nil {
		return fmt.Errorf("app: record key check of %s: %w", id, err)
	}
	return compareCheck(kr, id, got, source)
}

// compareCheck compares the recorded check value of key id with kr's.
func compareCheck(kr *secure.Keyring, id, recorded, source string) error {
	got := kr.CheckValue(id)
	switch {
	case got == "":
		return &config.Error{Msg: fmt.Sprintf("%s lacks key %s, which this database holds data under (check value %s): "+
			"use the key file of this database as it was after its last rotation (from the key file's backup)", source, id, recorded)}
	case got != recorded:
		return wrongKey(source, id, got, recorded)
	}
	return nil
}

func wrongKey(source, id, got, recorded string) error {
	return &config.Error{Msg: fmt.Sprintf("%s is not the key file of this database: its key %s (check value %s) is not the key "+
		"the data was encrypted with (the database recorded %s); start with the key file that belongs to this database", source, id, got, recorded)}
}

// samplesPerKey is how many values under one key sampleDecrypts tries: one corrupt row
// must not refuse the right key.
const samplesPerKey = 3

// sampleDecrypts finds up to samplesPerKey values written under key id in the encrypted
// columns (small tables first) and refuses the key if it decrypts none of them. No
// value under id is no evidence either way, and passes.
func sampleDecrypts(ctx context.Context, d *db.DB, kr *secure.Keyring, id, source string) error {
	prefix := "v1." + id + "."
	for _, c := range sampleOrder(EncryptedColumns()) {
		q := fmt.Sprintf(`SELECT %[1]s, %[2]s FROM %[3]s WHERE substr(%[2]s, 1, %[4]d) = ? LIMIT %[5]d`,
			c.IDColumn, c.Column, c.Table, len(prefix), samplesPerKey)
		rows, err := d.Query(ctx, q, prefix)
		if err != nil {
			return fmt.Errorf("app: sample %s for key %s: %w", c, id, err)
		}
		var tried int
		var lastErr error
		for rows.Next() {
			var rowID string
			var ct sql.NullString
			if err := rows.Scan(&rowID, &ct); err != nil {
				rows.Close()
				return fmt.Errorf("app: sample %s for key %s: %w", c, id, err)
			}
			tried++
			if _, lastErr = kr.Decrypt(ct.String, c.AAD(rowID)); lastErr == nil {
				rows.Close()
				return nil
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("app: sample %s for key %s: %w", c, id, err)
		}
		if tried > 0 && errors.Is(lastErr, secure.ErrDecrypt) {
			return &config.Error{Msg: fmt.Sprintf("%s is not the key file of this database: its key %s (check value %s) "+
				"decrypts none of %d values of %s written under %s; start with the key file that belongs to this database",
				source, id, kr.CheckValue(id), tried, c, id)}
		}
	}
	return nil
}

// sampleOrder puts users.totp_secret first: the smallest table, and the one every real
// installation has values in.
func sampleOrder(cols []EncryptedColumn) []EncryptedColumn {
	sort.SliceStable(cols, func(i, j int) bool {
		return cols[i].Table == "users" && cols[j].Table != "users"
	})
	return cols
}
