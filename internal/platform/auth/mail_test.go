package auth

import (
	"context"
	"net/smtp"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

func TestMailResetLink(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if err := geo.Seed(ctx, d); err != nil {
		t.Fatal(err)
	}
	kf := filepath.Join(t.TempDir(), "k")
	if err := secure.GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	kr, _ := secure.LoadKeyring(kf)
	s := NewService(d, audit.New(d), kr)
	sys := access.With(ctx, access.System())
	a, err := s.CreateAgency(sys, &Agency{Code: "ngo", Name: "ngo", Type: "ngo"})
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := s.CreateUser(sys, &User{Email: "ana@x.ec", Name: "Ana", AgencyID: a.ID, Roles: []access.Role{access.Monitoring}, Lang: "en"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MailResetLink(sys, u.ID, "http://x/reset/abc"); err == nil {
		t.Fatal("no mailer configured, yet it sent")
	}
	var got string
	var to []string
	s.Mail = &Mailer{Addr: "relay:25", From: "amparo@x.ec", send: func(addr string, _ smtp.Auth, from string, rcpt []string, msg []byte) error {
		got, to = string(msg), rcpt
		return nil
	}}
	if err := s.MailResetLink(access.With(ctx, u.Subject()), u.ID, "http://x/reset/abc"); err == nil {
		t.Fatal("a monitoring user mailed a reset link")
	}
	if err := s.MailResetLink(sys, u.ID, "http://x/reset/abc"); err != nil {
		t.Fatal(err)
	}
	if len(to) != 1 || to[0] != "ana@x.ec" || !strings.Contains(got, "http://x/reset/abc") ||
		!strings.Contains(got, "Subject: Amparo") || !strings.Contains(got, "Ana") {
		t.Fatalf("mail: %v\n%s", to, got)
	}
	events, _, err := audit.New(d).List(ctx, audit.Filter{Action: "user.password_reset_mailed"})
	if err != nil || len(events) != 1 {
		t.Fatalf("audit: %v %d", err, len(events))
	}
}
