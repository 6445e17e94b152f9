package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// Time limits. A journey gets browserTimeout in all; one step (a navigation, a wait for
// an element) gets stepTimeout, so a missing element fails fast with a clear message.
const (
	readyTimeout   = 20 * time.Second
	stopTimeout    = 10 * time.Second
	browserTimeout = 60 * time.Second
	stepTimeout    = 30 * time.Second
)

// browserLang is the language the browser asks for (Accept-Language).
const browserLang = "es-EC"

// engines are the database engines every journey runs on, used as subtest names.
var engines = []string{"sqlite", "postgres"}

var (
	moduleRoot string // the folder that holds go.mod
	amparoBin  string // the binary TestMain built
)

// TestMain builds the amparo binary once for all journeys and removes it afterwards.
func TestMain(m *testing.M) { os.Exit(buildAndRun(m)) }

func buildAndRun(m *testing.M) int {
	root, err := findModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	moduleRoot = root
	dir, err := os.MkdirTemp("", "amparo-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	amparoBin = filepath.Join(dir, "amparo")
	// "go test" puts its own GOROOT/bin first on PATH, so this is the same toolchain.
	cmd := exec.Command("go", "build", "-o", amparoBin, "./cmd/amparo")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/amparo: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// findModuleRoot walks up from the working folder to the one with go.mod.
func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working folder")
		}
		dir = parent
	}
}

// syncBuffer is a bytes.Buffer safe for a process writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one running "amparo serve" process.
type server struct {
	URL     string // base URL with no trailing slash, e.g. http://127.0.0.1:41234
	Engine  string // "sqlite" or "postgres"
	DataDir string // its --data folder
	DB      string // its --db URL; empty for the default SQLite file in DataDir

	cmd  *exec.Cmd
	out  *syncBuffer   // stdout and stderr together
	done chan struct{} // closed when the process has exited
	err  error         // the result of Wait, valid once done is closed
}

// startServer starts "amparo serve" on a free port with a fresh temporary data folder
// and, for engine "postgres", a fresh schema (skipped, or failed under
// AMPARO_REQUIRE_ALL=1, when AMPARO_TEST_POSTGRES_URL is absent). It returns once
// /readyz answers 200. At cleanup it sends SIGTERM and fails the test unless the server
// exits cleanly within 10 s; on failure the server's output is logged. extraArgs go to
// "amparo serve" after the standard flags.
func startServer(t *testing.T, engine string, extraArgs ...string) *server {
	t.Helper()
	s := &server{Engine: engine, DataDir: t.TempDir(), out: &syncBuffer{}}
	switch engine {
	case "sqlite":
	case "postgres":
		s.DB = dbtest.PostgresURL(t)
	default:
		t.Fatalf("startServer: unknown engine %q (want sqlite or postgres)", engine)
	}
	// Another process can take the free port between our probe and the server's
	// listen; then try again on another.
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		s.URL = "http://" + addr
		args := []string{"serve", "--addr", addr, "--data", s.DataDir}
		if s.DB != "" {
			args = append(args, "--db", s.DB)
		}
		args = append(args, extraArgs...)
		s.launch(t, args)
		err := s.waitReady()
		if err == nil {
			break
		}
		s.kill()
		if attempt < 3 && strings.Contains(s.out.String(), "address already in use") {
			fmt.Fprintf(s.out, "--- e2e: port %s was taken, trying another\n", addr)
			continue
		}
		t.Fatalf("amparo serve (%s) did not become ready: %v\n--- server output ---\n%s",
			engine, err, s.out.String())
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// launch starts the process. The environment loses every AMPARO_* variable so the
// server runs only on what the test gives it.
func (s *server) launch(t *testing.T, args []string) {
	t.Helper()
	cmd := exec.Command(amparoBin, args...)
	cmd.Dir = s.DataDir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AMPARO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout = s.out
	cmd.Stderr = s.out
	fmt.Fprintf(s.out, "--- e2e: amparo %s\n", redactArgs(args))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start amparo serve: %v", err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
}

// redactArgs hides a password in a --db URL before it goes into the log.
func redactArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if u, err := url.Parse(a); err == nil && u.User != nil {
			a = u.Redacted()
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// waitReady polls /readyz until it answers 200, the process exits or time runs out.
func (s *server) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	last := "no answer yet"
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("it exited before it was ready: %v", s.err)
		default:
		}
		resp, err := client.Get(s.URL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = "/readyz answered " + resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("/readyz did not answer 200 within %s (last: %s)", readyTimeout, last)
}

// kill stops the process at once and waits for it.
func (s *server) kill() {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// stop sends SIGTERM and checks that the server shuts down cleanly and in time, which
// also proves graceful shutdown works.
func (s *server) stop(t *testing.T) {
	select {
	case <-s.done:
		t.Errorf("amparo serve (%s) exited before the test ended: %v", s.Engine, s.err)
	default:
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("send SIGTERM to amparo serve: %v", err)
		}
		select {
		case <-s.done:
			if s.err != nil {
				t.Errorf("amparo serve (%s) did not exit cleanly on SIGTERM: %v", s.Engine, s.err)
			}
		case <-time.After(stopTimeout):
			s.kill()
			t.Errorf("amparo serve (%s) did not exit within %s of SIGTERM", s.Engine, stopTimeout)
		}
	}
	if t.Failed() {
		t.Logf("--- amparo serve (%s) output ---\n%s", s.Engine, s.out.String())
	}
}

// reply is a plain HTTP answer, body read in full.
type reply struct {
	Status int
	Header http.Header
	Body   string
}

// do sends one plain HTTP request to the server (path is relative to its URL) and
// does not follow redirects.
func (s *server) do(t *testing.T, method, path string, body io.Reader, header http.Header) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// get fetches path with a plain HTTP GET.
func (s *server) get(t *testing.T, path string) reply {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil, nil)
}

// postForm sends form to path as a urlencoded POST with the extra headers.
func (s *server) postForm(t *testing.T, path string, form url.Values, header http.Header) reply {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for k, vs := range header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return s.do(t, http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// consoleLog collects what the page reports as broken: uncaught exceptions,
// console.error calls and browser log entries at level error (failed loads, CSP
// violations), plus any entry that mentions the Content-Security-Policy.
type consoleLog struct {
	mu       sync.Mutex
	problems []string
}

func (c *consoleLog) add(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, p)
}

// take returns the problems so far and forgets them.
func (c *consoleLog) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.problems
	c.problems = nil
	return p
}

// listen runs inside chromedp's read loop: it must return fast and call no command.
func (c *consoleLog) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + strings.SplitN(d.Exception.Description, "\n", 2)[0]
		}
		c.add(fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1))
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			switch {
			case len(a.Value) > 0:
				parts = append(parts, string(a.Value))
			case a.Description != "":
				parts = append(parts, a.Description)
			default:
				parts = append(parts, string(a.Type))
			}
		}
		c.add(fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level == log.EntryLevelError || strings.Contains(e.Text, "Content Security Policy") {
			c.add(fmt.Sprintf("log %s/%s: %s (%s)", e.Source, e.Level, e.Text, e.URL))
		}
	}
}

// newBrowser starts a headless chromium for this test and returns its context, with a
// 60 s limit for the whole journey. The browser asks for Spanish (es-EC). It skips the test when chromium is missing (fails
// under AMPARO_REQUIRE_ALL=1). The test fails if the page reports an uncaught
// exception, a console error or a CSP violation at any time.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cl := openBrowser(t)
	// Registered after openBrowser's cleanup, so it runs first, while the tab is open.
	t.Cleanup(func() {
		for _, p := range cl.take() {
			t.Errorf("browser reported: %s", p)
		}
	})
	return ctx
}

// openBrowser is newBrowser without the failing: the caller reads the console log.
func openBrowser(t *testing.T) (context.Context, *consoleLog) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		dbtest.SkipOrFail(t, "chromium not installed at "+chromiumPath+": browser tests skipped")
	}
	out := &syncBuffer{}
	// chromedp gives each browser a fresh user-data dir in $TMPDIR and, when the
	// browser closes, kills leftover helper processes and removes the folder; an
	// explicit UserDataDir would lose that cleanup.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // we run as root in CI
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A visitor in Ecuador: the browser asks for Spanish, as Amparo's users do.
		chromedp.Flag("lang", browserLang),
		chromedp.Flag("accept-lang", browserLang+",es"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		if t.Failed() {
			if o := quietChromium(out.String()); o != "" {
				t.Logf("--- chromium output ---\n%s", o)
			}
		}
	})
	// The first Do starts the browser; its context must have no deadline, because the
	// browser lives as long as that context.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v\n--- chromium output ---\n%s", err, quietChromium(out.String()))
	}
	cl := &consoleLog{}
	if err := chromedp.Listen(bctx, cl.listen); err != nil {
		t.Fatalf("listen to the browser console: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, browserTimeout)
	t.Cleanup(cancel)
	return ctx, cl
}

// quietChromium drops the lines chromium always prints in a container (no D-Bus, the
// Debian wrapper's memory check), so what remains in a failure log is worth reading.
func quietChromium(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == "" || strings.Contains(l, ":ERROR:dbus/") ||
			strings.HasPrefix(l, chromiumPath+":") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// run runs browser actions with a step time limit and fails the test with what on
// error.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// visit opens url in the tab, waits for the page to load and fails unless it answered
// 200.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(sctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	checkStatus(t, "open "+url, resp)
}

// follow runs an action that navigates (a click on a link or a submit button), waits
// for the new page to load and fails unless it answered 200.
func follow(t *testing.T, ctx context.Context, what string, action chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	checkStatus(t, what, resp)
}

func checkStatus(t *testing.T, what string, resp *network.Response) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: no response", what)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: %s answered %d %s", what, resp.URL, resp.Status, resp.StatusText)
	}
}

// text returns the trimmed visible text of the first element matching the CSS selector,
// waiting for it to appear.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// attr returns the value of attribute name on the first element matching the CSS
// selector, waiting for the element; "" when the attribute is absent.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	r, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("read %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// location returns the tab's current URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	return u
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves a full-page PNG of the tab to e2e/screenshots/NAME.png (git-ignored)
// and returns its path.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(moduleRoot, "e2e", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// TestHarnessCatchesConsoleProblems proves newBrowser's console check works: a CSP
// violation, an uncaught exception and a console.error each get reported.
func TestHarnessCatchesConsoleProblems(t *testing.T) {
	pages := map[string]struct{ csp, body, want string }{
		"/csp":       {"default-src 'none'", `<script>document.title = "ran"</script>`, "Content Security Policy"},
		"/exception": {"", `<script>throw new Error("boom")</script>`, "boom"},
		"/console":   {"", `<script>console.error("bad thing")</script>`, "bad thing"},
		"/clean":     {"default-src 'none'", `<p>nothing wrong</p>`, ""},
	}
	ts := newTestSite(pages)
	defer ts.Close()
	ctx, cl := openBrowser(t)
	for _, path := range []string{"/csp", "/exception", "/console", "/clean"} {
		want := pages[path].want
		visit(t, ctx, ts.URL+path)
		// The reports arrive as events; an evaluation round trip orders us after them.
		run(t, ctx, "round trip", chromedp.Evaluate[chromedp.Void](`1`))
		got := cl.take()
		t.Logf("%s: %q", path, got)
		if want == "" {
			if len(got) != 0 {
				t.Errorf("%s: unexpected reports %q", path, got)
			}
			continue
		}
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("%s: reports %q do not mention %q", path, got, want)
		}
	}
}

// newTestSite serves tiny HTML pages, each with an optional CSP header.
func newTestSite(pages map[string]struct{ csp, body, want string }) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			// Answer /favicon.ico and the like with an empty 204, not an error.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if p.csp != "" {
			w.Header().Set("Content-Security-Policy", p.csp)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>t</title></head><body>%s</body></html>", p.body)
	}))
}
