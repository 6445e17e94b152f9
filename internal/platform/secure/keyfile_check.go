package secure

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// checkLabel is the message whose HMAC under a master key is the key's check value.
// Changing it makes every recorded check value disagree with its key.
const checkLabel = "amparo key check v1"

// checkPrefix opens the check value written after a key on its line.
const checkPrefix = "check="

// checkValue returns the check value of a master key: the first 16 bytes of
// HMAC-SHA256(key, checkLabel), hex encoded. It identifies the key without revealing it
// (HMAC is a pseudo-random function), so it may be stored beside the data: a database
// records the check values of the keys it holds data under, and a key file that brings
// other keys under the same IDs is refused at start instead of failing every read.
func checkValue(master []byte) string {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(checkLabel))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// CheckValue returns the check value of key id (see the package documentation), or ""
// when the keyring has no such key. Files without check values get them computed here,
// so older key files are checked the same way.
func (k *Keyring) CheckValue(id string) string {
	sk, ok := k.keys[id]
	if !ok {
		return ""
	}
	return sk.check
}

// CheckValues returns the check value of every key, by key ID.
func (k *Keyring) CheckValues() map[string]string {
	out := make(map[string]string, len(k.keys))
	for id, sk := range k.keys {
		out[id] = sk.check
	}
	return out
}
