package geo

import (
	"context"
	"math"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/db/dbtest"
)

func TestSeed(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := Seed(ctx, d); err != nil {
			t.Fatalf("first seed: %v", err)
		}
		// A stale name is corrected by the next run, which must not duplicate anything.
		if _, err := d.Exec(ctx, "UPDATE geo_cantons SET name = ? WHERE code = ?", "DURAN", "0907"); err != nil {
			t.Fatal(err)
		}
		if err := Seed(ctx, d); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		count := func(table string) int {
			var n int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			return n
		}
		if n := count("geo_provinces"); n != wantProvinces {
			t.Errorf("geo_provinces: %d rows", n)
		}
		if n := count("geo_cantons"); n != wantCantons {
			t.Errorf("geo_cantons: %d rows", n)
		}
		var name, region string
		var pop int64
		err := d.QueryRow(ctx, "SELECT name, region, population FROM geo_provinces WHERE code = ?", "23").
			Scan(&name, &region, &pop)
		if p, _ := ProvinceByCode("23"); err != nil || name != p.Name || region != p.Region || pop != p.Population {
			t.Errorf("province 23: %q %q %d %v", name, region, pop, err)
		}
		var prov string
		var area float64
		err = d.QueryRow(ctx, "SELECT province_code, name, population, area_km2 FROM geo_cantons WHERE code = ?", "0907").
			Scan(&prov, &name, &pop, &area)
		c, _ := CantonByCode("0907")
		if err != nil || prov != "09" || name != "Durán" || pop != c.Population || math.Abs(area-c.AreaKm2) > 1e-9 {
			t.Errorf("canton 0907: %q %q %d %v %v", prov, name, pop, area, err)
		}
		var total int64
		if err := d.QueryRow(ctx, "SELECT SUM(population) FROM geo_cantons").Scan(&total); err != nil {
			t.Fatal(err)
		}
		var want int64
		for _, p := range Provinces() {
			want += p.Population
		}
		if total != want {
			t.Errorf("population in store %d, in data %d", total, want)
		}
	})
}

func TestSeedJoinsCallerTransaction(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	errStop := context.Canceled
	err := d.InTx(ctx, func(ctx context.Context) error {
		if err := Seed(ctx, d); err != nil {
			return err
		}
		return errStop // roll the caller's transaction back, seed included
	})
	if err != errStop {
		t.Fatalf("InTx: %v", err)
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM geo_provinces").Scan(&n); err != nil || n != 0 {
		t.Errorf("after rollback: %d provinces, %v", n, err)
	}
}
