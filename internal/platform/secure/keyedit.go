package secure

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// AddKey appends a new random key to the key file and makes it active; it returns the new
// key ID (k<n+1> after the highest k<n>). Old keys stay so old data still decrypts. With
// several servers, prefer StageKey, then ActivateKey once every server has loaded it.
func AddKey(path string) (newID string, err error) { return addKey(path, true) }

// StageKey appends a new random key without activating it and returns its ID. Servers
// that load the file can then decrypt data written with it before any of them writes it.
func StageKey(path string) (newID string, err error) { return addKey(path, false) }

// ActivateKey makes key id the active key of the key file.
func ActivateKey(path, id string) error {
	return editKeyFile(path, func(kr *Keyring, text string) (string, error) {
		if !kr.HasKey(id) {
			return "", fmt.Errorf("no key %s", id)
		}
		return setActive(text, id)
	})
}

// addKey appends a key and flags the active one explicitly.
func addKey(path string, activate bool) (newID string, err error) {
	err = editKeyFile(path, func(kr *Keyring, text string) (string, error) {
		newID = nextKeyID(kr.order)
		active := kr.active
		if activate {
			active = newID
		}
		text, err := setActive(text, active)
		if err != nil {
			return "", err
		}
		line, err := newKeyLine(newID, activate)
		return text + line, err
	})
	return newID, err
}

// editKeyFile reads, validates, edits and atomically replaces a key file under a lock. It
// writes nothing unless the result parses and still holds every old key unchanged: an
// edit must never lose a key, because the data that key encrypted would be lost with it.
func editKeyFile(path string, edit func(*Keyring, string) (string, error)) error {
	// Replace the file a symlink points to, not the symlink.
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("secure: edit key file: %w", err)
	}
	unlock, err := lockKeyFile(target)
	if err != nil {
		return err
	}
	defer unlock()
	data, info, err := readKeyFile(target)
	if err != nil {
		return err
	}
	kr, err := parseKeyring(data)
	if err != nil {
		return fmt.Errorf("secure: key file %s: %w", path, err)
	}
	text := string(data)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	out, err := edit(kr, text)
	if err == nil {
		err = keepsKeys(kr, []byte(out))
	}
	if err != nil {
		return fmt.Errorf("secure: edit key file %s: %w", path, err)
	}
	return replaceFile(target, info, []byte(out))
}

// lockKeyFile keeps two key changes from running at once: the second would write back
// the file without the first one's new key, and data encrypted with it would be lost.
func lockKeyFile(path string) (unlock func(), err error) {
	lock := path + ".lock"
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("secure: %s exists: another key change is running, or one "+
			"crashed; if none is running, remove that file and try again", lock)
	}
	if err != nil {
		return nil, fmt.Errorf("secure: lock key file: %w", err)
	}
	return func() { f.Close(); os.Remove(lock) }, nil
}

// keepsKeys checks that an edited key file parses and still holds every key of the old
// one, unchanged (compared through their derived index subkeys).
func keepsKeys(old *Keyring, edited []byte) error {
	kr, err := parseKeyring(edited)
	if err != nil {
		return err
	}
	for id, sk := range old.keys {
		if nk, ok := kr.keys[id]; !ok || !hmac.Equal(nk.index, sk.index) {
			return fmt.Errorf("edit would lose or change key %s", id)
		}
	}
	return nil
}

// setActive rewrites every key line so that only key id carries the active flag, one key
// per line. Comment and blank lines are kept as they are.
func setActive(text, id string) (string, error) {
	var b strings.Builder
	for line := range strings.Lines(text) {
		code, comment, hasComment := strings.Cut(strings.TrimRight(line, "\r\n"), "#")
		var entries []string
		for part := range strings.SplitSeq(code, ";") {
			if fields := strings.Fields(part); len(fields) > 0 {
				e, err := parseEntry(fields)
				if err != nil {
					return "", err
				}
				e.active = e.id == id
				entries = append(entries, formatEntry(e))
			}
		}
		if len(entries) == 0 {
			b.WriteString(line)
			continue
		}
		if hasComment {
			entries[len(entries)-1] += " #" + comment
		}
		b.WriteString(strings.Join(entries, "\n") + "\n")
	}
	return b.String(), nil
}

// nextKeyID returns k<n+1> for the highest k<n> in ids, or, if that is taken or too
// long, the first free k<i> counting from 1.
func nextKeyID(ids []string) string {
	taken := make(map[string]bool, len(ids))
	n := 0
	for _, id := range ids {
		taken[id] = true
		if digits, ok := strings.CutPrefix(id, "k"); ok {
			if v, err := strconv.Atoi(digits); err == nil && v > n {
				n = v
			}
		}
	}
	if id := "k" + strconv.Itoa(n+1); !taken[id] && validKeyID(id) {
		return id
	}
	for i := 1; ; i++ {
		if id := "k" + strconv.Itoa(i); !taken[id] {
			return id
		}
	}
}

// replaceFile writes data to a new private file beside path and renames it over path, so
// a crash leaves either the old or the new key file, never half of one.
func replaceFile(path string, old fs.FileInfo, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := keepOwner(f, old); err != nil {
		return fmt.Errorf("secure: keep the owner of key file %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("secure: write key file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("secure: replace key file: %w", err)
	}
	syncDir(dir)
	return nil
}
