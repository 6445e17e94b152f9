package auth

import (
	"context"
	"fmt"
	"net/smtp"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// Mailer sends plain-text mail through an SMTP relay. It is optional: without it, reset
// links are only shown to the administrator, who passes them on.
type Mailer struct {
	Addr string // host:port of the relay (STARTTLS is used when the relay offers it)
	From string
	// send is smtp.SendMail, replaceable in tests.
	send func(addr string, a smtp.Auth, from string, to []string, msg []byte) error
}

// NewMailer returns a mailer for the relay at addr.
func NewMailer(addr, from string) *Mailer {
	return &Mailer{Addr: addr, From: from, send: smtp.SendMail}
}

// Send delivers one message.
func (m *Mailer) Send(to, subject, body string) error {
	clean := func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }
	msg := "From: " + clean(m.From) + "\r\nTo: " + clean(to) + "\r\nSubject: " + clean(subject) +
		"\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"
	if err := m.send(m.Addr, nil, m.From, []string{to}, []byte(msg)); err != nil {
		return fmt.Errorf("auth: send mail: %w", err)
	}
	return nil
}

// MailResetLink sends a reset link to the user, in their language (administrators;
// audited). It fails when no mailer is configured.
func (s *Service) MailResetLink(ctx context.Context, userID, link string) error {
	if err := access.From(ctx).Require(access.Manage, access.User); err != nil {
		return err
	}
	if s.Mail == nil {
		return errNoMailer
	}
	u, err := s.st.user(ctx, "u.id = ?", userID)
	if err != nil {
		return err
	}
	cat := i18n.MustLoad()
	subject := cat.T(u.Lang, "password.mail_subject")
	body := cat.T(u.Lang, "password.mail_body", "Name", u.Name, "Link", link, "Hours", int(ResetTTL.Hours()))
	if err := s.Mail.Send(u.Email, subject, body); err != nil {
		_ = s.record(ctx, "user.password_reset_mailed", "user", u.ID, audit.OutcomeFailed, "")
		return err
	}
	return s.record(ctx, "user.password_reset_mailed", "user", u.ID, audit.OutcomeOK, "")
}

var errNoMailer = fmt.Errorf("auth: no mail server configured")
