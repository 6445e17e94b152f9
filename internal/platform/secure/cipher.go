package secure

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ErrDecrypt is wrapped by every Decrypt failure: malformed text, unknown key, wrong
// record or field, or tampering. Callers test it with errors.Is.
var ErrDecrypt = errors.New("secure: cannot decrypt")

// ErrNoContext is returned by Encrypt when the associated data is empty: every
// ciphertext must be bound to its record and field.
var ErrNoContext = errors.New("secure: encrypt: empty associated data (want record and field)")

// version is the first part of every ciphertext. A new format gets a new version.
const version = "v1"

// Sizes of the GCM parts of a ciphertext.
const (
	nonceSize = 12
	tagSize   = 16
)

// b64 encodes ciphertext payloads. Strict decoding rejects non-canonical trailing bits
// and Decrypt refuses skipped newlines, so no two strings decode to the same payload and
// every changed character is detected.
var b64 = base64.RawURLEncoding.Strict()

// Encrypt seals plaintext with the active key, bound to aad (record and field, e.g.
// "case:0192…:given_names"). An empty plaintext gives the empty string.
func (k *Keyring) Encrypt(plaintext []byte, aad string) (string, error) {
	if aad == "" {
		return "", ErrNoContext
	}
	if len(plaintext) == 0 {
		return "", nil
	}
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("secure: encrypt: %w", err)
	}
	return k.encryptWithNonce(plaintext, aad, nonce[:]), nil
}

// encryptWithNonce is Encrypt with a chosen nonce. Only tests call it directly, for
// known-answer vectors; reusing a nonce under one key breaks GCM.
func (k *Keyring) encryptWithNonce(plaintext []byte, aad string, nonce []byte) string {
	header := version + "." + k.active + "."
	aead := k.keys[k.active].aead
	buf := make([]byte, 0, nonceSize+len(plaintext)+tagSize)
	buf = append(buf, nonce...)
	buf = aead.Seal(buf, nonce, plaintext, []byte(header+aad))
	return header + b64.EncodeToString(buf)
}

// EncryptString is Encrypt for a string.
func (k *Keyring) EncryptString(plaintext, aad string) (string, error) {
	return k.Encrypt([]byte(plaintext), aad)
}

// Decrypt opens a ciphertext made by Encrypt with any key of the keyring, given the same
// aad. The empty string decrypts to nil. Every failure wraps ErrDecrypt.
func (k *Keyring) Decrypt(ciphertext, aad string) ([]byte, error) {
	if ciphertext == "" {
		return nil, nil
	}
	id, payload, ok := split(ciphertext)
	if !ok {
		return nil, fmt.Errorf("%w: malformed ciphertext", ErrDecrypt)
	}
	sk, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %s", ErrDecrypt, id)
	}
	raw, err := b64.DecodeString(payload)
	// The decoder skips \r and \n; the length check refuses them, so there is exactly
	// one spelling of each ciphertext.
	if err != nil || len(raw) < nonceSize+tagSize || b64.EncodedLen(len(raw)) != len(payload) {
		return nil, fmt.Errorf("%w: malformed ciphertext", ErrDecrypt)
	}
	header := ciphertext[:len(ciphertext)-len(payload)]
	plain, err := sk.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], []byte(header+aad))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (wrong record, field or key, or tampered)", ErrDecrypt)
	}
	return plain, nil
}

// DecryptString is Decrypt for a string.
func (k *Keyring) DecryptString(ciphertext, aad string) (string, error) {
	b, err := k.Decrypt(ciphertext, aad)
	return string(b), err
}

// KeyID returns the ID of the key a ciphertext names, or "" when the text is empty or not
// a well-formed ciphertext. It does not check that the ciphertext is authentic.
func KeyID(ciphertext string) string {
	id, _, _ := split(ciphertext)
	return id
}

// NeedsRotation reports whether a ciphertext is not encrypted with the active key. It is
// false for the empty string (nothing to rotate) and true for malformed text, so that a
// rotation pass surfaces it through Reencrypt's error.
func (k *Keyring) NeedsRotation(ciphertext string) bool {
	if ciphertext == "" {
		return false
	}
	return KeyID(ciphertext) != k.active
}

// Reencrypt decrypts a ciphertext and encrypts it again with the active key and a fresh
// nonce, under the same aad. The empty string stays empty.
func (k *Keyring) Reencrypt(ciphertext, aad string) (string, error) {
	plain, err := k.Decrypt(ciphertext, aad)
	if err != nil {
		return "", err
	}
	defer clear(plain)
	return k.Encrypt(plain, aad)
}

// split parses "v1.<keyid>.<payload>" into the key ID and the payload, checking only the
// shape: version, a valid key ID, a non-empty payload.
func split(ciphertext string) (id, payload string, ok bool) {
	rest, ok := strings.CutPrefix(ciphertext, version+".")
	if !ok {
		return "", "", false
	}
	id, payload, ok = strings.Cut(rest, ".")
	if !ok || !validKeyID(id) || payload == "" {
		return "", "", false
	}
	return id, payload, true
}
