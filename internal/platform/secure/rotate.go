package secure

import (
	"context"
	"errors"
	"fmt"
)

// Item is one encrypted field handed to RotateBatch: an ID the caller uses to write the
// result back (a row ID, or row and column), the associated data the field was encrypted
// under, and its ciphertext.
type Item struct {
	ID         string
	AAD        string
	Ciphertext string
}

// RotateBatch re-encrypts with the active key every item that NeedsRotation and returns
// those items with their new ciphertexts, in input order; items already current or empty
// are left out. Capability packages call it on batches of rows and write the result back
// in one transaction per batch.
//
// A bad item does not stop the batch, because a single corrupt row must not block the
// rotation of all the others: the items that could be rotated are returned together with
// an error that joins one error per failed item, each naming the item ID and wrapping
// ErrDecrypt. When ctx is cancelled RotateBatch stops and returns what it has done so far
// with an error wrapping ctx.Err().
func RotateBatch(ctx context.Context, kr *Keyring, items []Item) ([]Item, error) {
	var (
		out  []Item
		errs []error
	)
	for i, it := range items {
		// Checking every item is cheap next to an AES-GCM open and seal.
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("secure: rotate: stopped after %d of %d items: %w", i, len(items), err))
			break
		}
		if !kr.NeedsRotation(it.Ciphertext) {
			continue
		}
		ct, err := kr.Reencrypt(it.Ciphertext, it.AAD)
		if err != nil {
			errs = append(errs, fmt.Errorf("secure: rotate item %s: %w", it.ID, err))
			continue
		}
		it.Ciphertext = ct
		out = append(out, it)
	}
	return out, errors.Join(errs...)
}
