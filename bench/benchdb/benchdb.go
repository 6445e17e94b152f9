// Package benchdb opens a benchmark database made by bench/gen: the SQLite file, its
// field-encryption key file beside it and the description of what it holds.
package benchdb

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/amparo-ec/amparo/internal/cases"
	"github.com/amparo-ec/amparo/internal/platform/audit"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/secure"
)

// Meta describes a generated database: who to act as and what to search for.
type Meta struct {
	Cases int    `json:"cases"`
	Seed  uint64 `json:"seed"`
	// The agency with the largest share of cases, its supervisor (who sees all of
	// them) and one of its case workers (who sees the cases assigned to them).
	AgencyID     string `json:"agency_id"`
	SupervisorID string `json:"supervisor_id"`
	WorkerID     string `json:"worker_id"`
	// Full names, family names and document numbers of cases of that agency.
	Names       []string `json:"names"`
	FamilyNames []string `json:"family_names"`
	Documents   []string `json:"documents"`
	Province    string   `json:"province"`
	GeneratedIn string   `json:"generated_in"`
}

// Paths of a generated database's companions.
func KeyPath(dbPath string) string  { return dbPath + ".key" }
func MetaPath(dbPath string) string { return dbPath + ".json" }

// Services are what the benchmarks call.
type Services struct {
	DB    *db.DB
	Audit *audit.Log
	Auth  *auth.Service
	Cases *cases.Service
	Meta  Meta
}

// New builds the services on an open database with its keyring.
func New(d *db.DB, kr *secure.Keyring) *Services {
	log := audit.New(d)
	a := auth.NewService(d, log, kr)
	return &Services{DB: d, Audit: log, Auth: a, Cases: cases.NewService(d, log, kr, a)}
}

// Open opens a generated database with its key and description, and applies the
// migrations it lacks.
func Open(ctx context.Context, path string) (*Services, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("benchdb: %w", err)
	}
	kr, err := secure.LoadKeyringFromEnvOrFile("", KeyPath(path))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(MetaPath(path))
	if err != nil {
		return nil, fmt.Errorf("benchdb: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("benchdb: %s: %w", MetaPath(path), err)
	}
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	// A file made by an older generator gets the migrations (indexes) of today's code,
	// as an upgraded installation would.
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	s := New(d, kr)
	s.Meta = m
	return s, nil
}
