// Package e2e holds Amparo's browser journeys. Each test starts the real amparo binary
// (built once by TestMain) on SQLite and on PostgreSQL, and drives Debian's chromium
// through chromedp, as a person would use the app.
//
// Run them with:
//
//	AMPARO_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/test?sslmode=disable" \
//	  go test ./e2e/ -v -count=1
//
// Without chromium at /usr/bin/chromium the browser steps skip, and without
// AMPARO_TEST_POSTGRES_URL the PostgreSQL runs skip; with AMPARO_REQUIRE_ALL=1 both fail
// instead. Screenshots go to e2e/screenshots/ (git-ignored).
//
// The helpers for new journeys live in harness_test.go: engines (the subtest names),
// startServer (with its get, postForm and do for plain HTTP), newBrowser, and for the
// browser visit, follow, run, text, attr, location and screenshot.
package e2e
