package web

import (
	"context"
	"net/http"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// MaxUploadsInFlight bounds how many multipart uploads a server holds in memory at once.
// ReadMultipart keeps files in memory (never in the temporary folder, in clear), so
// without a bound a few signed-in users sending large files at once could exhaust the
// memory of a small server: 8 × the 11 MiB upload limit is under 100 MiB.
const MaxUploadsInFlight = 8

// UploadWait is how long an upload waits for a free slot before it is refused with 503
// and Retry-After (a variable so tests can shorten it).
var UploadWait = 15 * time.Second

var uploadSlots = make(chan struct{}, MaxUploadsInFlight)

// takeUploadSlot waits for one of the upload slots and frees it when the request ends
// (its context is cancelled when the handler returns), since the files it read stay in
// memory until then. A full house after UploadWait is 503, the client gone is its error.
func takeUploadSlot(r *http.Request) error {
	t := time.NewTimer(UploadWait)
	defer t.Stop()
	select {
	case uploadSlots <- struct{}{}:
		context.AfterFunc(r.Context(), func() { <-uploadSlots })
		return nil
	case <-r.Context().Done():
		return r.Context().Err()
	case <-t.C:
		return errs.New(errs.CodeUnavailable, "error.uploads_busy")
	}
}
