package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106 second recommended option, lighter memory for small
// servers). Stored with every hash, so they can be raised later without breaking logins.
var (
	argonTime   uint32 = 3
	argonMemory uint32 = 64 * 1024 // KiB
)

const (
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// In test binaries (never in the amparo program) hashing is made cheap, so suites that
// create hundreds of users stay fast on small machines. The parameters travel with each
// hash, so verification is unaffected.
func init() {
	if testing.Testing() {
		argonTime, argonMemory = 1, 8*1024
	}
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// HashPassword returns a PHC-format argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash Amparo cannot read.
var ErrBadHash = errors.New("auth: unreadable password hash")

// CheckPassword reports whether pw matches the stored hash, in constant time.
func CheckPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// PasswordProblem returns the catalog key of the first problem with a new password, or
// "" when it is acceptable. email and name are the user's, which must not make up the
// password.
func PasswordProblem(pw, email, name string) string {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return "validation.password_short"
	}
	if len(pw) > 256 {
		return "validation.too_long"
	}
	low := strings.ToLower(pw)
	if commonPasswords[low] {
		return "validation.password_common"
	}
	// A common password padded with digits or symbols is still common.
	stripped := strings.TrimRight(low, "0123456789!.@#$%&*?-_ ")
	if commonPasswords[stripped] && len(stripped) >= 6 {
		return "validation.password_common"
	}
	distinct := map[rune]bool{}
	for _, r := range low {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return "validation.password_common"
	}
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	if len(local) >= 4 && strings.Contains(low, local) {
		return "validation.password_personal"
	}
	for _, part := range strings.Fields(strings.ToLower(name)) {
		if len(part) >= 4 && strings.Contains(low, part) && len(low)-len(part) < 8 {
			return "validation.password_personal"
		}
	}
	return ""
}

// GeneratePassword returns a random password of four words-like chunks that is easy
// to type and well above the minimum strength (about 95 bits).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for i := 0; i < 16; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}

// RandomToken returns n random bytes encoded for URLs and cookies.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
