package secure

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of a master key and of every derived subkey.
const KeySize = 32

// HKDF info strings. Changing either makes every stored ciphertext or index unreadable.
const (
	infoEncryption = "amparo field encryption v1"
	infoBlindIndex = "amparo blind index v1"
)

// maxKeyIDLen bounds key IDs; they appear in every ciphertext, so they stay short.
const maxKeyIDLen = 16

// Keyring holds the derived subkeys of every master key of a key file. It is immutable
// and safe for concurrent use. Build one with ParseKeyring or LoadKeyring; the zero
// Keyring holds no keys and must not be used.
type Keyring struct {
	keys     map[string]*subkeys
	order    []string // key IDs as they appear in the file, oldest first
	active   string   // encrypts new data
	indexID  string   // the key the blind indexes derive from
	indexKey []byte
}

// subkeys are what a master key is used for; the master key itself is not kept.
type subkeys struct {
	aead  cipher.AEAD
	index []byte
	check string // CheckValue of the master key
}

// keyEntry is one parsed key line.
type keyEntry struct {
	id            string
	key           []byte
	active, index bool
	check         string // the check value written after the key, or "" (older files)
}

// ParseKeyring reads the key-file format described in the package documentation.
func ParseKeyring(text []byte) (*Keyring, error) {
	kr, err := parseKeyring(text)
	if err != nil {
		return nil, fmt.Errorf("secure: parse keyring: %w", err)
	}
	return kr, nil
}

// parseKeyring is ParseKeyring with errors its callers prefix with the key source.
func parseKeyring(text []byte) (*Keyring, error) {
	entries, err := parseEntries(string(text))
	if err != nil {
		return nil, err
	}
	return newKeyring(entries)
}

// parseEntries splits the text into key lines. Comments are cut per newline-separated
// line first, so a ';' inside a comment does not start an entry.
func parseEntries(text string) ([]keyEntry, error) {
	var entries []keyEntry
	for n, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for part := range strings.SplitSeq(line, ";") {
			fields := strings.Fields(part)
			if len(fields) == 0 {
				continue
			}
			e, err := parseEntry(fields)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// parseEntry reads "[active] [index] ID:BASE64 [check=HEX]". A check value, when
// present, must be the key's: a key line changed by hand or damaged in a copy is refused
// before it can encrypt anything. Errors never quote the key material.
func parseEntry(fields []string) (keyEntry, error) {
	var e keyEntry
	if last := fields[len(fields)-1]; len(fields) > 1 && strings.HasPrefix(last, checkPrefix) {
		e.check = strings.TrimPrefix(last, checkPrefix)
		fields = fields[:len(fields)-1]
	}
	for _, flag := range fields[:len(fields)-1] {
		switch flag {
		case "active":
			e.active = true
		case "index":
			e.index = true
		default:
			// Not quoted: it may be key material, e.g. two keys on one line.
			return e, errors.New("unknown word before the key (want active or index; one key per line)")
		}
	}
	id, b64, ok := strings.Cut(fields[len(fields)-1], ":")
	if !ok {
		return e, errors.New("want ID:BASE64")
	}
	if !validKeyID(id) {
		return e, fmt.Errorf("bad key ID (want 1-%d of A-Z a-z 0-9 _ -)", maxKeyIDLen)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(strings.TrimRight(b64, "="))
	if err != nil || len(key) != KeySize {
		return e, fmt.Errorf("key %s is not %d bytes of base64", id, KeySize)
	}
	if allZero(key) {
		return e, fmt.Errorf("key %s is all zeros", id)
	}
	if e.check != "" && e.check != checkValue(key) {
		return e, fmt.Errorf("key %s does not match the check value written after it: the key line was changed or damaged; use an intact copy of the key file", id)
	}
	e.id, e.key = id, key
	return e, nil
}

// newKeyring checks the entries as a whole and derives the subkeys.
func newKeyring(entries []keyEntry) (*Keyring, error) {
	if len(entries) == 0 {
		return nil, errors.New("no keys found (want at least one ID:BASE64 line)")
	}
	kr := &Keyring{keys: make(map[string]*subkeys, len(entries))}
	seen := make(map[string]string, len(entries))
	kr.active = entries[len(entries)-1].id
	kr.indexID = entries[0].id
	var nActive, nIndex int
	for _, e := range entries {
		if _, dup := kr.keys[e.id]; dup {
			return nil, fmt.Errorf("key %s appears twice", e.id)
		}
		if other, dup := seen[string(e.key)]; dup {
			return nil, fmt.Errorf("keys %s and %s are the same key", other, e.id)
		}
		seen[string(e.key)] = e.id
		if e.active {
			kr.active, nActive = e.id, nActive+1
		}
		if e.index {
			kr.indexID, nIndex = e.id, nIndex+1
		}
		sk, err := deriveSubkeys(e.key)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", e.id, err)
		}
		kr.keys[e.id] = sk
		kr.order = append(kr.order, e.id)
	}
	if nActive > 1 || nIndex > 1 {
		return nil, errors.New("more than one key flagged active, or more than one flagged index")
	}
	kr.indexKey = kr.keys[kr.indexID].index
	return kr, nil
}

// deriveSubkeys derives the encryption and blind-index subkeys of one master key.
func deriveSubkeys(master []byte) (*subkeys, error) {
	encKey, err := hkdf.Key(sha256.New, master, nil, infoEncryption, KeySize)
	if err != nil {
		return nil, err
	}
	idxKey, err := hkdf.Key(sha256.New, master, nil, infoBlindIndex, KeySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &subkeys{aead: aead, index: idxKey, check: checkValue(master)}, nil
}

// ActiveKeyID returns the ID of the key that encrypts new data.
func (k *Keyring) ActiveKeyID() string { return k.active }

// IndexKeyID returns the ID of the key the blind indexes derive from.
func (k *Keyring) IndexKeyID() string { return k.indexID }

// KeyIDs returns every key ID in file order, oldest first.
func (k *Keyring) KeyIDs() []string { return append([]string(nil), k.order...) }

// HasKey reports whether the keyring can decrypt data written with key id.
func (k *Keyring) HasKey(id string) bool { _, ok := k.keys[id]; return ok }

// WithIndexKey returns a copy of the keyring whose blind indexes derive from key id. It
// serves one purpose: computing new indexes while re-keying them (see the package doc).
func (k *Keyring) WithIndexKey(id string) (*Keyring, error) {
	sk, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("secure: no key %s in the keyring", id)
	}
	c := *k
	c.indexID, c.indexKey = id, sk.index
	return &c, nil
}

// String describes the keyring without key material, so logging one by mistake is safe.
func (k *Keyring) String() string {
	return fmt.Sprintf("secure.Keyring{keys: %v, active: %s, index: %s}", k.order, k.active, k.indexID)
}

// GoString is String, so that %#v does not print subkeys either.
func (k *Keyring) GoString() string { return k.String() }

// validKeyID reports whether id may name a key; '.' and ':' are excluded because they
// delimit ciphertexts and key lines.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
