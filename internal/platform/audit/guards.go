package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// guards are the triggers, by engine, that make the log append-only (migration 00003):
// they refuse an UPDATE or DELETE of an event and any move of the head but forward.
var guards = map[db.Dialect][]string{
	db.SQLite: {"audit_events_no_delete", "audit_events_no_update", "audit_head_forward", "audit_head_no_delete"},
	db.Postgres: {"audit_events_no_delete", "audit_events_no_truncate", "audit_events_no_update",
		"audit_head_forward", "audit_head_no_truncate"},
}

// missingGuards returns, sorted, the guards that are not in place: dropped, or on
// PostgreSQL disabled (ALTER TABLE … DISABLE TRIGGER). The chain shows an edit made
// without them; their absence shows that the next one will not be refused, which
// matters most in a database restored from a backup someone could have changed.
func (l *Log) missingGuards(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_events', 'audit_head')`
	if l.d.Dialect == db.Postgres {
		q = `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relname IN ('audit_events', 'audit_head')
			AND NOT t.tgisinternal AND t.tgenabled <> 'D'`
	}
	rows, err := l.d.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit: read guards: %w", err)
	}
	defer rows.Close()
	present := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("audit: read guards: %w", err)
		}
		present[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read guards: %w", err)
	}
	var missing []string
	for _, g := range guards[l.d.Dialect] {
		if !present[g] {
			missing = append(missing, g)
		}
	}
	sort.Strings(missing)
	return missing, nil
}

// unguardedProblem is the Problem of a chain that holds but lacks guards.
func unguardedProblem(missing []string) string {
	return "the chain holds, but the append-only guards are missing or disabled: " + strings.Join(missing, ", ") +
		" (dropped by hand, or in the copy it was restored from)"
}
