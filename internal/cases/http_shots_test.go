//go:build shots

package cases_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
)

// TestShots takes full-page screenshots of the case screens into $SHOTS (a developer
// tool: go test -tags shots -run TestShots ./internal/cases/).
func TestShots(t *testing.T) {
	dir := os.Getenv("SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	ta := newUIApp(t)
	ag := ta.agency("nuevavida", "Fundación Nueva Vida (prueba)")
	w := ta.signedIn(ag, access.CaseWorker, "Ana Trabajadora")
	s := ta.signedIn(ag, access.CaseSupervisor, "Sofía Supervisora")
	id := w.register(caseForm("Mariela", "Quishpe Tituaña", cedula("171003406")))
	for i, n := range []string{"Rosa", "Carmen", "Luis", "Pedro"} {
		v := caseForm(n, "Prueba", cedula("17100340"+string(rune('0'+i))))
		v.Set("person.documents.0.number", "")
		v.Set("person.documents.0.type", "")
		v.Set("person.birth_date", "")
		v.Set("person.estimated_age", []string{"24", "15", "33", "8"}[i])
		v.Set("not_duplicate", "1")
		w.register(v)
	}
	w.mustPost("/cases/"+id+"/consents", url.Values{"consent.purpose": {"assistance"}, "consent.status": {"given"},
		"consent.given_by": {"representative"}, "consent.representative": {"Rosa Quishpe"}, "consent.method": {"written"},
		"consent.decided_on": {today()}}, http.StatusSeeOther)
	w.mustPost("/cases/"+id+"/approvals", url.Values{"kind": {"screening"}, "screening_result": {"actual"}}, http.StatusSeeOther)
	w.mustPost("/cases/"+id+"/tasks", url.Values{"task.title": {"Visita domiciliaria"}, "task.due_on": {"2020-01-01"}}, http.StatusSeeOther)
	w.mustPost("/cases/"+id+"/notes", url.Values{"note.body": {"Primera entrevista.\nLa niña está tranquila."}}, http.StatusSeeOther)
	w.mustPost("/cases/"+id+"/flags", url.Values{"flag.flag": {"threat"}, "flag.reason": {"Un desconocido preguntó por ella."}}, http.StatusSeeOther)
	w.mustPost("/cases/"+id+"/events", url.Values{"event.kind": {"recruitment"}, "event.country": {"ECU"}, "event.province": {"17"},
		"event.canton": {"1701"}, "event.started_on": {"2025-10-01"}, "event.narrative": {"Le ofrecieron trabajo."}}, http.StatusSeeOther)

	shoot := func(b *browser, name, path string, parts ...string) {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"),
			chromedp.Headless, chromedp.NoSandbox, chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 900))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancelA()
		ctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		defer cancelT()
		u, _ := url.Parse(ta.srv.URL)
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("start chromium: %v", err)
		}
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == auth.SessionCookie {
				if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value,
					Domain: u.Hostname(), Path: "/"}); err != nil {
					t.Fatalf("cookie: %v", err)
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(ta.srv.URL+path)); err != nil {
			t.Fatalf("shoot %s: %v", path, err)
		}
		for i, sel := range parts {
			buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
			if err != nil {
				t.Fatalf("shoot %s %s: %v", path, sel, err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, i)), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("shoot %s: %v", path, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shoot(w, "work-worker", "/work")
	shoot(s, "work-supervisor", "/work")
	shoot(w, "list", "/cases")
	shoot(w, "new", "/cases/new", "#sec-identification", "#sec-basic", "#sec-origin", "#f-person-documents", "#sec-exploitation")
	shoot(s, "case-supervisor", "/cases/"+id, "#case-head", "#workflow", "#person", "#history", "#consent", "#plan",
		"#tasks", "#notes", "#attachments", "#safety", "#activity")
	shoot(w, "edit", "/cases/"+id+"/edit")
	shoot(w, "withdraw", "/cases/"+id+"/consents/withdraw?purpose=assistance")
	t.Logf("screenshots in %s", dir)
}
