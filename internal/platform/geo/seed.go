package geo

import (
	"context"
	"fmt"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// The upserts use INSERT ... ON CONFLICT ... DO UPDATE with the excluded row, which
// SQLite (3.24 and later) and PostgreSQL both understand, so one statement serves both.
const (
	upsertProvince = `INSERT INTO geo_provinces (code, name, region, population)
VALUES (?, ?, ?, ?)
ON CONFLICT (code) DO UPDATE SET
    name = excluded.name, region = excluded.region, population = excluded.population`

	upsertCanton = `INSERT INTO geo_cantons (code, province_code, name, population, area_km2)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (code) DO UPDATE SET
    province_code = excluded.province_code, name = excluded.name,
    population = excluded.population, area_km2 = excluded.area_km2`
)

// Seed writes the embedded provinces and cantons into geo_provinces and geo_cantons, in
// one transaction (or the one ctx carries). It is idempotent: existing rows are updated
// to the embedded values, so running it at every start is safe and picks up corrected
// names after an upgrade. Rows that are no longer in the data are kept, because cases
// and plans may still reference them.
func Seed(ctx context.Context, d *db.DB) error {
	err := d.InTx(ctx, func(ctx context.Context) error {
		for _, p := range dpa.provinces {
			if _, err := d.Exec(ctx, upsertProvince, p.Code, p.Name, p.Region, p.Population); err != nil {
				return fmt.Errorf("province %s: %w", p.Code, err)
			}
		}
		for _, p := range dpa.provinces {
			for _, c := range p.Cantons {
				_, err := d.Exec(ctx, upsertCanton, c.Code, c.ProvinceCode, c.Name, c.Population, c.AreaKm2)
				if err != nil {
					return fmt.Errorf("canton %s: %w", c.Code, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("geo: seed: %w", err)
	}
	return nil
}
