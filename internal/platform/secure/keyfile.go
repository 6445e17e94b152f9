package secure

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxKeyFileSize bounds what LoadKeyring reads; a real key file is a few hundred bytes.
const maxKeyFileSize = 64 << 10

// keyFileHeader opens every key file GenerateKeyFile writes.
const keyFileHeader = `# Amparo master keys. Keep this file secret, backed up, and readable only by its
# owner (chmod 600): losing a key makes the data it encrypted unreadable.
# One key per line: [active] [index] ID:BASE64(32 bytes) check=HEX. The key flagged
# "active" encrypts new data; check= lets Amparo tell a damaged or a wrong key. Blind
# indexes derive from the first key (or the one flagged "index"): never remove or
# reorder it. Add keys with amparo keys rotate.
`

// LoadKeyring reads a key file. It refuses a file that is not a regular file or that
// group or others may access (mode must be 0600 or stricter), naming the fix.
func LoadKeyring(path string) (*Keyring, error) {
	data, _, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	kr, err := parseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("secure: key file %s: %w", path, err)
	}
	return kr, nil
}

// LoadKeyringFromEnvOrFile loads the keyring from envValue (the text of AMPARO_KEY, for
// containers) when it is set, and otherwise from the key file at path. When envValue is
// set, path is not read at all, so callers may always pass their configured or default
// key-file path. Callers should unset AMPARO_KEY after reading it, so that child
// processes do not inherit it.
func LoadKeyringFromEnvOrFile(envValue, path string) (*Keyring, error) {
	switch {
	case envValue != "":
		kr, err := parseKeyring([]byte(envValue))
		if err != nil {
			return nil, fmt.Errorf("secure: AMPARO_KEY: %w", err)
		}
		return kr, nil
	case path != "":
		return LoadKeyring(path)
	}
	return nil, errors.New("secure: no keys: set AMPARO_KEY or configure a key file")
}

// GenerateKeyFile creates a key file at path with one random key, k1, mode 0600. It fails
// if the file exists: overwriting a key file would lose the data its keys encrypted.
func GenerateKeyFile(path string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("secure: key file %s already exists; refusing to overwrite it", path)
	}
	if err != nil {
		return fmt.Errorf("secure: create key file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("secure: create key file: %w", cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	line, err := newKeyLine("k1", true)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, keyFileHeader+line); err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	return nil
}

// readKeyFile reads a key file after checking, on the open file, that it is private.
func readKeyFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("secure: open key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("secure: open key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("secure: key file %s is not a regular file", path)
	}
	if err := checkPrivate(path, info); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("secure: read key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, nil, fmt.Errorf("secure: key file %s is larger than %d bytes", path, maxKeyFileSize)
	}
	return data, info, nil
}

// newKeyLine returns a key line holding a fresh random key.
func newKeyLine(id string, active bool) (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("secure: new key: %w", err)
	}
	defer clear(key)
	return formatEntry(keyEntry{id: id, key: key, active: active}) + "\n", nil
}

// formatEntry writes one key line, flags first and the key's check value last, so every
// line this package writes carries its check (lines of older files gain it at the next
// edit).
func formatEntry(e keyEntry) string {
	var flags string
	if e.active {
		flags += "active "
	}
	if e.index {
		flags += "index "
	}
	return flags + e.id + ":" + base64.StdEncoding.EncodeToString(e.key) + " " + checkPrefix + checkValue(e.key)
}
