package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/web"
)

// At most MaxUploadsInFlight uploads are held in memory at once: the next one waits,
// and after UploadWait gets 503 with Retry-After; when an upload's request ends its
// slot is free again.
func TestUploadsInFlightAreBounded(t *testing.T) {
	old := web.UploadWait
	web.UploadWait = 300 * time.Millisecond
	t.Cleanup(func() { web.UploadWait = old })
	f := newFixture(t, web.Options{MaxBody: 16 << 20})
	hold := make(chan struct{})
	var reading sync.WaitGroup
	mux := http.NewServeMux()
	mux.Handle("POST /upload", f.wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		_, files, err := web.ReadMultipart(r, 1<<20)
		if err != nil {
			return err
		}
		if r.URL.Query().Get("hold") != "" {
			reading.Done()
			<-hold // the files stay in memory while the handler works
		}
		w.Header().Set("X-Files", string(rune('0'+len(files))))
		return nil
	}))
	srv := httptest.NewServer(f.wb.Stack(web.RecordRoute(mux), web.Options{MaxBody: 16 << 20}))
	defer srv.Close()
	upload := func(query string) *http.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "informe.pdf")
		fw.Write(bytes.Repeat([]byte("%PDF"), 1000))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload"+query, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		resp.Body.Close()
		return resp
	}
	reading.Add(web.MaxUploadsInFlight)
	held := make(chan *http.Response, web.MaxUploadsInFlight)
	for range web.MaxUploadsInFlight {
		go func() { held <- upload("?hold=1") }()
	}
	reading.Wait() // every slot is taken by an upload whose handler is still working
	resp := upload("")
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("an upload beyond the slots: %+v, want 503 with Retry-After", resp)
	}
	close(hold)
	for range web.MaxUploadsInFlight {
		if r := <-held; r == nil || r.StatusCode != http.StatusOK {
			t.Errorf("a held upload answered %+v, want 200", r)
		}
	}
	// The slots are free again.
	for range web.MaxUploadsInFlight + 2 {
		if r := upload(""); r == nil || r.StatusCode != http.StatusOK || r.Header.Get("X-Files") != "1" {
			t.Fatalf("upload after the others ended: %+v, want 200 with one file", r)
		}
	}
}
