package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// store holds the SQL of the identity tables; nothing else touches them.
type store struct{ d *db.DB }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func parseTimeOrZero(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := db.ParseTime(s)
	return t
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const agencyCols = `a.id, a.code, a.name, a.type, COALESCE(a.province_code, ''), COALESCE(a.canton_code, ''),
	a.active, a.created_at, a.updated_at,
	(SELECT COUNT(*) FROM users u WHERE u.agency_id = a.id AND u.active = 1)`

func scanAgency(sc interface{ Scan(...any) error }) (*Agency, error) {
	var a Agency
	var active int
	var created, updated string
	if err := sc.Scan(&a.ID, &a.Code, &a.Name, &a.Type, &a.ProvinceCode, &a.CantonCode, &active,
		&created, &updated, &a.Users); err != nil {
		return nil, err
	}
	a.Active = active == 1
	a.CreatedAt, a.UpdatedAt = parseTimeOrZero(created), parseTimeOrZero(updated)
	return &a, nil
}

func (s *store) insertAgency(ctx context.Context, a *Agency) error {
	_, err := s.d.Exec(ctx, `INSERT INTO agencies (id, code, name, type, province_code, canton_code, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Code, a.Name, a.Type, nullable(a.ProvinceCode),
		nullable(a.CantonCode), boolInt(a.Active), db.FormatTime(a.CreatedAt), db.FormatTime(a.UpdatedAt))
	if db.IsUniqueViolation(err) {
		return errs.Invalid(map[string]string{"code": "validation.code_taken"})
	}
	return err
}

func (s *store) updateAgency(ctx context.Context, a *Agency) error {
	_, err := s.d.Exec(ctx, `UPDATE agencies SET name = ?, type = ?, province_code = ?, canton_code = ?,
		active = ?, updated_at = ? WHERE id = ?`, a.Name, a.Type, nullable(a.ProvinceCode),
		nullable(a.CantonCode), boolInt(a.Active), db.FormatTime(a.UpdatedAt), a.ID)
	return err
}

func (s *store) agency(ctx context.Context, where string, arg any) (*Agency, error) {
	a, err := scanAgency(s.d.QueryRow(ctx, "SELECT "+agencyCols+" FROM agencies a WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound()
	}
	return a, err
}

// AgencyFilter narrows the agency list.
type AgencyFilter struct {
	Q        string // code or name contains
	Type     string
	Province string
	Active   string // "", "1", "0"
	Limit    int
	Offset   int
}

func (s *store) listAgencies(ctx context.Context, f AgencyFilter) ([]*Agency, int, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Q != "" {
		where = append(where, "(LOWER(a.name) LIKE ? OR a.code LIKE ?)")
		q := "%" + strings.ToLower(f.Q) + "%"
		args = append(args, q, q)
	}
	if f.Type != "" {
		where = append(where, "a.type = ?")
		args = append(args, f.Type)
	}
	if f.Province != "" {
		where = append(where, "a.province_code = ?")
		args = append(args, f.Province)
	}
	if f.Active == "1" || f.Active == "0" {
		where = append(where, "a.active = ?")
		args = append(args, f.Active == "1")
		args[len(args)-1] = boolInt(f.Active == "1")
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM agencies a WHERE "+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count agencies: %w", err)
	}
	rows, err := s.d.Query(ctx, "SELECT "+agencyCols+" FROM agencies a WHERE "+w+
		" ORDER BY a.name, a.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: list agencies: %w", err)
	}
	defer rows.Close()
	var out []*Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

const userCols = `u.id, u.email, u.name, u.agency_id, a.name, a.code, u.jurisdiction_level, u.jurisdiction_code,
	u.lang, u.active, u.totp_enabled, u.must_change_password, u.last_login_at, u.created_at, u.updated_at,
	u.password_hash, u.totp_secret, u.totp_last_step, u.recovery_codes, u.failed_logins, u.locked_until,
	a.active`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var active, totp, must, agActive int
	var last, created, updated, locked string
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.AgencyID, &u.AgencyName, &u.AgencyCode,
		&u.JurisdictionLevel, &u.JurisdictionCode, &u.Lang, &active, &totp, &must, &last, &created,
		&updated, &u.passwordHash, &u.totpSecret, &u.totpLastStep, &u.recoveryCodes, &u.failedLogins,
		&locked, &agActive); err != nil {
		return nil, err
	}
	u.Active, u.TOTPEnabled, u.MustChangePassword = active == 1, totp == 1, must == 1
	u.AgencyActive = agActive == 1
	u.LastLoginAt, u.CreatedAt, u.UpdatedAt = parseTimeOrZero(last), parseTimeOrZero(created), parseTimeOrZero(updated)
	u.lockedUntil = parseTimeOrZero(locked)
	return &u, nil
}

func (s *store) user(ctx context.Context, where string, arg any) (*User, error) {
	u, err := scanUser(s.d.QueryRow(ctx, "SELECT "+userCols+
		" FROM users u JOIN agencies a ON a.id = u.agency_id WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("auth: load user: %w", err)
	}
	if err := s.loadRoles(ctx, []*User{u}); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *store) loadRoles(ctx context.Context, users []*User) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[string]*User{}
	ph := make([]string, 0, len(users))
	args := make([]any, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		u.Roles = nil
		ph = append(ph, "?")
		args = append(args, u.ID)
	}
	rows, err := s.d.Query(ctx, "SELECT user_id, role FROM user_roles WHERE user_id IN ("+
		strings.Join(ph, ",")+") ORDER BY role", args...)
	if err != nil {
		return fmt.Errorf("auth: load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, role string
		if err := rows.Scan(&id, &role); err != nil {
			return err
		}
		byID[id].Roles = append(byID[id].Roles, access.Role(role))
	}
	return rows.Err()
}

func (s *store) insertUser(ctx context.Context, u *User) error {
	now := db.FormatTime(u.CreatedAt)
	_, err := s.d.Exec(ctx, `INSERT INTO users (id, email, name, agency_id, jurisdiction_level, jurisdiction_code,
		lang, password_hash, password_changed_at, must_change_password, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, u.AgencyID,
		u.JurisdictionLevel, u.JurisdictionCode, u.Lang, u.passwordHash, now, boolInt(u.MustChangePassword),
		boolInt(u.Active), now, now)
	if db.IsUniqueViolation(err) {
		return errs.Invalid(map[string]string{"email": "validation.email_taken"})
	}
	if err != nil {
		return fmt.Errorf("auth: insert user: %w", err)
	}
	return s.setRoles(ctx, u.ID, u.Roles)
}

func (s *store) setRoles(ctx context.Context, userID string, roles []access.Role) error {
	if _, err := s.d.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("auth: clear roles: %w", err)
	}
	seen := map[access.Role]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := s.d.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", userID, string(r)); err != nil {
			return fmt.Errorf("auth: add role: %w", err)
		}
	}
	return nil
}

func (s *store) updateUserProfile(ctx context.Context, u *User) error {
	_, err := s.d.Exec(ctx, `UPDATE users SET email = ?, name = ?, agency_id = ?, jurisdiction_level = ?,
		jurisdiction_code = ?, lang = ?, active = ?, updated_at = ? WHERE id = ?`, u.Email, u.Name, u.AgencyID,
		u.JurisdictionLevel, u.JurisdictionCode, u.Lang, boolInt(u.Active), db.Now(), u.ID)
	if db.IsUniqueViolation(err) {
		return errs.Invalid(map[string]string{"email": "validation.email_taken"})
	}
	if err != nil {
		return fmt.Errorf("auth: update user: %w", err)
	}
	return s.setRoles(ctx, u.ID, u.Roles)
}

// UserFilter narrows the user list.
type UserFilter struct {
	Q        string // email or name contains
	AgencyID string
	Role     string
	Active   string // "", "1", "0"
	Limit    int
	Offset   int
}

func (s *store) listUsers(ctx context.Context, f UserFilter) ([]*User, int, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Q != "" {
		where = append(where, "(u.email LIKE ? OR LOWER(u.name) LIKE ?)")
		q := "%" + strings.ToLower(f.Q) + "%"
		args = append(args, q, q)
	}
	if f.AgencyID != "" {
		where = append(where, "u.agency_id = ?")
		args = append(args, f.AgencyID)
	}
	if f.Role != "" {
		where = append(where, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)")
		args = append(args, f.Role)
	}
	if f.Active == "1" || f.Active == "0" {
		where = append(where, "u.active = ?")
		args = append(args, boolInt(f.Active == "1"))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*) FROM users u WHERE "+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count users: %w", err)
	}
	rows, err := s.d.Query(ctx, "SELECT "+userCols+" FROM users u JOIN agencies a ON a.id = u.agency_id WHERE "+
		w+" ORDER BY u.name, u.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.loadRoles(ctx, out)
}

func (s *store) exec(ctx context.Context, op, q string, args ...any) error {
	if _, err := s.d.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("auth: %s: %w", op, err)
	}
	return nil
}
