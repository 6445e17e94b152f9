package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestSafeNextRefusesOtherSites: every way of writing a post-login target that a
// browser would resolve to another site becomes "/": each control character
// (0x00–0x1f and 0x7f) before, inside or after "//", backslashes, "//", "/\", schemes,
// and the same written percent-encoded (the form value is decoded once by the server,
// so a doubly encoded "//" arrives as "%2F%2F…", which is not a path at all).
func TestSafeNextRefusesOtherSites(t *testing.T) {
	var bad []string
	for c := 0; c <= 0x20; c++ {
		if c == 0x20 {
			c = 0x7f
		}
		ch := string(rune(c))
		bad = append(bad,
			"/"+ch+"/evil.example",
			ch+"//evil.example",
			"/"+ch+ch+"/evil.example",
			"/"+ch+"\\evil.example",
			"/cases"+ch,
			ch+"/cases",
			"/cases/"+ch+"/x",
		)
	}
	bad = append(bad,
		"", "cases", "evil.example", "//evil.example", "///evil.example", "/\\evil.example",
		"\\\\evil.example", "\\/evil.example", "/\\/evil.example", "/cases\\..\\..\\x",
		"https://evil.example", "http:/evil.example", "javascript:alert(1)", "mailto:x@evil.example",
		"/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "%2F%2Fevil.example",
		"%252F%252Fevil.example", "/"+strings.Repeat("a", maxNext),
	)
	for _, p := range bad {
		if got := safeNext(p); got != "/" {
			t.Errorf("safeNext(%q) = %q, want \"/\"", p, got)
		}
		// The login form reads "next" from the query string: the same value, sent
		// encoded, decodes to the same refusal.
		q, err := url.ParseQuery("next=" + url.QueryEscape(p))
		if err != nil {
			t.Fatalf("parse query of %q: %v", p, err)
		}
		if got := SafeNext(q.Get("next")); got != "/" {
			t.Errorf("SafeNext(query %q) = %q, want \"/\"", url.QueryEscape(p), got)
		}
	}
}

// TestSafeNextKeepsOwnPages: paths of this site, with query strings, fragments and
// encoded characters, come back unchanged.
func TestSafeNextKeepsOwnPages(t *testing.T) {
	for _, p := range []string{"/", "/cases", "/cases?status=open&page=2", "/cases/0190b1c2#notes",
		"/admin/users?q=ana%20l%C3%B3pez", "/work/", "/referrals/inbox?tab=new",
		"/a/b%20c", "/./cases", "/" + strings.Repeat("a", maxNext-1)} {
		if got := safeNext(p); got != p {
			t.Errorf("safeNext(%q) = %q, want it unchanged", p, got)
		}
	}
}
