package referrals

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// OfferFilter narrows the service map.
type OfferFilter struct {
	Q          string
	Province   string
	Type       string
	Population string
	AgencyID   string
	All        bool // include inactive entries
	Page       int
	PerPage    int // 0: 50; -1: everything (exports)
}

// SaveOffer creates (empty ID) or updates a service-map entry (national coordination).
func (s *Service) SaveOffer(ctx context.Context, id string, in OfferInput) (*Offer, error) {
	sub := access.From(ctx)
	perm := access.Create
	if id != "" {
		perm = access.Update
	}
	if err := sub.Require(perm, access.ServiceMap); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if _, ok := s.agencies.AgencyType(ctx, in.AgencyID); !ok {
		return nil, errs.Invalid(map[string]string{"agency_id": "validation.agency_unknown"})
	}
	now := db.Now()
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		if id == "" {
			id = newID()
			if _, err := s.d.Exec(ctx, `INSERT INTO network_services (id, agency_id, support_type, name, description,
				contact_name, contact_phone, contact_email, hours, active, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.AgencyID, in.SupportType, in.Name, in.Description,
				in.ContactName, in.ContactPhone, in.ContactEmail, in.Hours, boolInt(in.Active), now, now); err != nil {
				return fmt.Errorf("referrals: save offer: %w", err)
			}
		} else {
			res, err := s.d.Exec(ctx, `UPDATE network_services SET agency_id = ?, support_type = ?, name = ?, description = ?,
				contact_name = ?, contact_phone = ?, contact_email = ?, hours = ?, active = ?, updated_at = ? WHERE id = ?`,
				in.AgencyID, in.SupportType, in.Name, in.Description, in.ContactName, in.ContactPhone, in.ContactEmail,
				in.Hours, boolInt(in.Active), now, id)
			if err != nil {
				return fmt.Errorf("referrals: save offer: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errs.NotFound()
			}
		}
		for _, q := range []string{"DELETE FROM network_service_populations WHERE service_id = ?",
			"DELETE FROM network_service_areas WHERE service_id = ?"} {
			if _, err := s.d.Exec(ctx, q, id); err != nil {
				return err
			}
		}
		for _, p := range in.Populations {
			if _, err := s.d.Exec(ctx, "INSERT INTO network_service_populations (service_id, population) VALUES (?, ?) ON CONFLICT DO NOTHING", id, p); err != nil {
				return err
			}
		}
		for _, a := range in.Areas {
			if _, err := s.d.Exec(ctx, "INSERT INTO network_service_areas (service_id, province_code, canton_code) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				id, a.Province, a.Canton); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, auditEvent("service_map.save", "network_service", id))
	})
	if err != nil {
		return nil, err
	}
	return s.Offer(ctx, id)
}

// Offer returns one service-map entry.
func (s *Service) Offer(ctx context.Context, id string) (*Offer, error) {
	if err := access.From(ctx).Require(access.View, access.ServiceMap); err != nil {
		return nil, err
	}
	list, _, err := s.offers(ctx, "ns.id = ?", []any{id}, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFound()
	}
	return list[0], nil
}

// Offers searches the service map.
func (s *Service) Offers(ctx context.Context, f OfferFilter) ([]*Offer, int, error) {
	if err := access.From(ctx).Require(access.View, access.ServiceMap); err != nil {
		return nil, 0, err
	}
	conds, args := []string{"1=1"}, []any{}
	if !f.All {
		conds = append(conds, "ns.active = 1")
	}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		conds = append(conds, "(LOWER(ns.name) LIKE ? OR LOWER(a.name) LIKE ? OR LOWER(ns.description) LIKE ?)")
		args = append(args, "%"+q+"%", "%"+q+"%", "%"+q+"%")
	}
	if f.Province != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM network_service_areas x WHERE x.service_id = ns.id AND x.province_code = ?)")
		args = append(args, f.Province)
	}
	if f.Type != "" {
		conds = append(conds, "ns.support_type = ?")
		args = append(args, f.Type)
	}
	if f.Population != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM network_service_populations x WHERE x.service_id = ns.id AND x.population = ?)")
		args = append(args, f.Population)
	}
	if f.AgencyID != "" {
		conds = append(conds, "ns.agency_id = ?")
		args = append(args, f.AgencyID)
	}
	limit := f.PerPage
	if limit == 0 || limit > 500 {
		limit = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if limit < 0 {
		return s.offers(ctx, strings.Join(conds, " AND "), args, 100000, 0)
	}
	return s.offers(ctx, strings.Join(conds, " AND "), args, limit, (f.Page-1)*limit)
}

func (s *Service) offers(ctx context.Context, where string, args []any, limit, offset int) ([]*Offer, int, error) {
	from := " FROM network_services ns JOIN agencies a ON a.id = ns.agency_id WHERE " + where
	var total int
	if err := s.d.QueryRow(ctx, "SELECT COUNT(*)"+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("referrals: count offers: %w", err)
	}
	rows, err := s.d.Query(ctx, `SELECT ns.id, ns.agency_id, a.name, a.type, ns.support_type, ns.name, ns.description,
		ns.contact_name, ns.contact_phone, ns.contact_email, ns.hours, ns.active, ns.created_at, ns.updated_at`+from+
		" ORDER BY ns.name, ns.id LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("referrals: offers: %w", err)
	}
	var out []*Offer
	byID := map[string]*Offer{}
	for rows.Next() {
		var o Offer
		var active int
		var c, u string
		if err := rows.Scan(&o.ID, &o.AgencyID, &o.AgencyName, &o.AgencyType, &o.SupportType, &o.Name, &o.Description,
			&o.ContactName, &o.ContactPhone, &o.ContactEmail, &o.Hours, &active, &c, &u); err != nil {
			rows.Close()
			return nil, 0, err
		}
		o.Active = active == 1
		o.CreatedAt, _ = db.ParseTime(c)
		o.UpdatedAt, _ = db.ParseTime(u)
		out = append(out, &o)
		byID[o.ID] = &o
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, o := range out {
		if err := s.offerDetails(ctx, o); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (s *Service) offerDetails(ctx context.Context, o *Offer) error {
	rows, err := s.d.Query(ctx, "SELECT population FROM network_service_populations WHERE service_id = ? ORDER BY population", o.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		o.Populations = append(o.Populations, p)
	}
	rows.Close()
	rows, err = s.d.Query(ctx, "SELECT province_code, canton_code FROM network_service_areas WHERE service_id = ? ORDER BY province_code, canton_code", o.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a Area
		if err := rows.Scan(&a.Province, &a.Canton); err != nil {
			return err
		}
		o.Areas = append(o.Areas, a)
	}
	return rows.Err()
}

// ProvinceCounts returns how many active services each province has (for the map).
func (s *Service) ProvinceCounts(ctx context.Context, supportType string) (map[string]int, error) {
	if err := access.From(ctx).Require(access.View, access.ServiceMap); err != nil {
		return nil, err
	}
	q := `SELECT x.province_code, COUNT(DISTINCT ns.id) FROM network_services ns
		JOIN network_service_areas x ON x.service_id = ns.id WHERE ns.active = 1`
	var args []any
	if supportType != "" {
		q += " AND ns.support_type = ?"
		args = append(args, supportType)
	}
	rows, err := s.d.Query(ctx, q+" GROUP BY x.province_code", args...)
	if err != nil {
		return nil, fmt.Errorf("referrals: province counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[p] = n
	}
	return out, rows.Err()
}

// ProvincesCovered lists province codes with at least one active service of a type,
// sorted (used by tests and the map legend).
func ProvincesCovered(counts map[string]int) []string {
	var out []string
	for p, n := range counts {
		if n > 0 {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
