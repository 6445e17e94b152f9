package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// apiThing is the typed body of POST /api/things in the stack fixture: text, a list of
// objects with text and a list of strings, as the case API has.
type apiThing struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
	Docs []struct {
		Number string `json:"number"`
	} `json:"docs"`
	Count int `json:"count"`
}

// stackFixture is the whole stack as the app builds it (Unmatched and RecordRoute
// around a mux), with metrics, over routes that exercise input, paths and clients
// that go away.
type stackFixture struct {
	*fixture
	metrics *web.Metrics
	started chan struct{} // a /slow handler began
}

func newStackFixture(t *testing.T, o web.Options) *stackFixture {
	t.Helper()
	base := newFixture(t, o)
	f := &stackFixture{fixture: base, metrics: web.NewMetrics(), started: make(chan struct{}, 8)}
	wb := f.wb
	mux := http.NewServeMux()
	mux.Handle("GET /page", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		return wb.Render(w, r, "web/welcome", wb.NewPage(r, ""))
	}))
	mux.Handle("POST /form", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		_, err := w.Write([]byte("saved " + r.PostForm.Get("name")))
		return err
	}))
	mux.Handle("POST /api/things", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		var v apiThing
		if err := web.DecodeJSON(r, &v); err != nil {
			return err
		}
		return wb.JSON(w, http.StatusCreated, v)
	}))
	mux.Handle("GET /reset/{token}", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.PathValue("token") == "fail" {
			return errors.New("reset store down")
		}
		return errs.NotFound()
	}))
	mux.Handle("GET /cases/{id}/files/{file}", wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		_, err := w.Write([]byte("file"))
		return err
	}))
	mux.Handle("GET /static/", http.HandlerFunc(web.ServeStatic))
	// /slow/{what} waits until the client goes away, then fails the way a handler
	// whose database call was cancelled does.
	slow := wb.Handle(func(w http.ResponseWriter, r *http.Request) error {
		f.started <- struct{}{}
		<-r.Context().Done()
		if r.PathValue("what") == "401" {
			return errs.Unauthenticated()
		}
		return fmt.Errorf("store: list: %w", r.Context().Err())
	})
	mux.Handle("GET /slow/{what}", slow)
	mux.Handle("GET /api/slow/{what}", slow)
	o.Metrics = f.metrics
	f.h = wb.Stack(web.RecordRoute(wb.Unmatched(mux)), o)
	return f
}
