package auth

import (
	"crypto/aes"
	gcm "crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The copy of new recovery codes kept for a download is sealed with AES-256-GCM under a
// key derived from the session's cookie token. The database holds only the token's
// SHA-256, so a copy of the database (with or without the field-encryption key file)
// cannot open it: only the browser that was shown the codes can, while its session
// lives. The session's hash is the associated data, so a copy moved to another session
// row does not open either.

const recoveryCopyLabel = "amparo recovery codes download v1"

func recoveryCopyAEAD(token string) (gcm.AEAD, error) {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(recoveryCopyLabel))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("auth: recovery copy key: %w", err)
	}
	return gcm.NewGCM(block)
}

// sealRecoveryCopy encrypts codes for the session whose cookie token is token.
func sealRecoveryCopy(token string, codes []string) (string, error) {
	aead, err := recoveryCopyAEAD(token)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("auth: recovery copy nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, []byte(strings.Join(codes, " ")), []byte(hashToken(token)))
	return base64.RawStdEncoding.EncodeToString(out), nil
}

// openRecoveryCopy decrypts a copy sealed by sealRecoveryCopy with the same token.
func openRecoveryCopy(token, sealed string) ([]string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil {
		return nil, fmt.Errorf("auth: recovery copy: %w", err)
	}
	aead, err := recoveryCopyAEAD(token)
	if err != nil {
		return nil, err
	}
	if len(raw) < aead.NonceSize() {
		return nil, errors.New("auth: recovery copy too short")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(hashToken(token)))
	if err != nil {
		return nil, fmt.Errorf("auth: recovery copy: %w", err)
	}
	return strings.Fields(string(plain)), nil
}
