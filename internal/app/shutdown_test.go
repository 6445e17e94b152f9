package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestShutdownCutsStalledClients: a server stopped while two clients stall (one in the
// middle of its headers, one in the middle of its body) waits for the drain limit, cuts
// them, says so in the log with their number, and returns nil, so `amparo serve`
// exits 0.
func TestShutdownCutsStalledClients(t *testing.T) {
	ta := openApp(t, "sqlite")
	defer ta.Close()
	ta.DrainTimeout = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- ta.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	stall := func(raw string) net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
		return c
	}
	stall("GET /login HTTP/1.1\r\nHost: amparo\r\nAccept-Lang")
	stall("POST /login HTTP/1.1\r\nHost: amparo\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: 200\r\n\r\nemail=ana%40amparo.test&pass")
	time.Sleep(150 * time.Millisecond) // both are being read

	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v after cutting stalled clients, want nil (exit 0)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return within 10s of the stop")
	}
	if el := time.Since(start); el < ta.DrainTimeout {
		t.Errorf("Serve returned after %v, before the drain limit %v", el, ta.DrainTimeout)
	}
	logs := ta.logs.String()
	if !strings.Contains(logs, "drain limit reached") || !strings.Contains(logs, "connections=2") {
		t.Errorf("the log does not say two connections were cut:\n%s", logs)
	}
}
