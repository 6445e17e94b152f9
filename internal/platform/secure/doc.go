// Package secure protects victims' personal data at rest: field-by-field envelope
// encryption, blind indexes for exact and phonetic search without decrypting, key files
// and the primitives of key rotation. It knows no feature; capability packages call it
// from their stores.
//
// # Keys
//
// A key file (or the AMPARO_KEY environment variable) holds one or more master keys, one
// per line:
//
//	# comments start with '#'
//	k1:BASE64(32 random bytes) check=HEX
//	active k2:BASE64(32 random bytes) check=HEX
//
// Each key line is ID:BASE64, optionally preceded by flags. ID is 1–16 characters of
// A–Z a–z 0–9 '_' '-'. The key is exactly 32 bytes in standard base64 (padding optional).
// The flag "active" marks the key that encrypts new data; with no flag, the last key is
// active. The flag "index" marks the key the blind indexes derive from; with no flag, the
// first (oldest) key does. In an environment variable ';' may separate entries instead of
// newlines. A key may be followed by "check=HEX", its check value: the first 16 bytes of
// HMAC-SHA256 of the label "amparo key check v1" under the master key, hex encoded. A line
// whose key does not match its check value is refused (a key changed by hand or damaged
// in a copy); lines without one (older files, AMPARO_KEY) get it computed. The database
// records the check values of its keys, so a wrong key file is told at start (see
// internal/app). Files written by this package always mark the active key and write every
// line's check value. On Unix LoadKeyring
// refuses a file that group or others may read or write (fix: chmod 600 PATH). Error
// messages name line numbers and key IDs, never key material.
//
// Master keys are never used directly. HKDF-SHA256 (no salt; the master keys are uniformly
// random) derives from each of them an encryption subkey (info "amparo field encryption
// v1") and a blind-index subkey (info "amparo blind index v1"), so the two uses never
// share key material. A Keyring is immutable and safe for concurrent use; to pick up a
// rotated file, load it again and swap the pointer.
//
// # Ciphertexts
//
// Encrypt uses AES-256-GCM with a fresh random 96-bit nonce and returns
//
//	v1.<keyid>.<base64url without padding of nonce(12) | ciphertext | tag(16)>
//
// which fits a TEXT column on SQLite and PostgreSQL. The associated data authenticated by
// GCM is the header "v1.<keyid>." followed by the caller's context, which names the record
// and the field (for example "case:0192…:given_names"): a ciphertext copied to another
// record or field, or relabelled with another key ID, fails to decrypt. Every failure of
// Decrypt (bad format, unknown key, wrong context, any changed bit, non-canonical base64,
// truncation) wraps ErrDecrypt; Decrypt never panics and never returns partial data.
// An empty plaintext encrypts to the empty string so that optional fields stay empty:
// whether a field is filled is therefore visible, and blanking a field is not detected
// here (the audit log records changes). Random nonces allow about 2^32 encryptions per key;
// rotate long before that.
//
// # Rotation
//
// AddKey appends a new random key and makes it active; StageKey appends one without
// activating it and ActivateKey switches later, so that several servers can all learn a
// key before any of them writes with it. Old keys stay in the file: every ciphertext names
// its key, so old data keeps decrypting while RotateBatch (built on NeedsRotation and
// Reencrypt) rewrites it in batches. A key may be removed only when no ciphertext names it.
// Key-file changes hold a lock file (PATH.lock), replace the file atomically keeping its
// owner, and write nothing that would lose or change an existing key.
//
// Rotation re-encrypts data but keeps the blind-index key, which derives from the first
// key (or the one flagged "index"), because a new index key would break every stored
// index and with it exact-match search. Never remove or reorder that key. To re-key the
// indexes (for example after that key leaked), compute the new indexes of every record
// with WithIndexKey(newID), store them, then flag the new key "index" in the file.
//
// # Blind indexes
//
// BlindIndex is HMAC-SHA256 under the index subkey over kind, a zero byte and
// Normalize(value), truncated to 16 bytes and hex encoded (32 characters). The kind
// separates uses, so equal values of different kinds do not collide. Normalize decomposes
// (NFKD), strips accents, lower-cases, turns punctuation into spaces and collapses spaces,
// so "  José  MARÍA-Pérez " matches "jose maria perez". DocumentIndex does the same over
// NormalizeDocument (letters and digits only, upper case) for identity document numbers.
// Equal values give equal indexes: an attacker who reads the database learns which
// records share a value, not the value. PhoneticKeys gives Spanish-aware sound codes per
// name token (see its rules) that callers blind-index for duplicate detection.
package secure
