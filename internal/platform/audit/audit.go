// Package audit is Amparo's audit trail: an append-only, hash-chained log of who did what
// to which record, when, through which request and with what outcome.
//
// Each event carries a gapless sequence number and the hash of the event before it, and
// its own hash covers that previous hash and every other column. Editing, deleting,
// inserting or reordering rows therefore breaks the chain, and Verify names the first
// event where it breaks. The database refuses UPDATE and DELETE on audit_events with
// triggers as well, but whoever owns the database can drop triggers; the chain is what
// detects tampering. Rewriting the whole chain after a point (and the head row with it)
// is only detectable against a copy of an earlier head kept elsewhere: see Head.
//
// Events never hold personal data. Record types and ids point at records; Detail holds
// a short reason code or a list of field names, never field values.
package audit

import (
	"errors"
	"time"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// Outcomes of an audited action.
const (
	OutcomeOK     = "ok"     // the action happened
	OutcomeDenied = "denied" // access control refused it
	OutcomeFailed = "failed" // it was attempted and failed (bad password, invalid input…)
)

// GenesisHash is the prev_hash of the first event: the chain starts from a fixed value.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// MaxDetail is the longest Detail Record accepts, in bytes. Detail is a reason code or a
// list of field names, so anything longer is a programming mistake.
const MaxDetail = 500

// ErrInvalidEvent is returned (wrapped) by Record for an event it refuses to write: a
// missing or malformed action, an unknown outcome, an over-long field.
var ErrInvalidEvent = errors.New("audit: invalid event")

// Event is one line of the audit trail. Callers set Action, Outcome, the record and
// Detail; Record fills in the rest. The actor and request fields default to the values
// in reqinfo.From(ctx).
type Event struct {
	Seq           int64     // 1, 2, 3… without gaps; assigned by Record
	ID            string    // UUIDv7; assigned by Record
	At            time.Time // UTC; assigned by Record
	ActorID       string    // user who acted; "" for anonymous (e.g. a failed login)
	ActorAgencyID string    // that user's agency
	Action        string    // dotted verb: "auth.login", "case.view", "export.csv"
	RecordType    string    // kind of record touched: "case", "user", "token"…
	RecordID      string    // its id (never a name or other personal data)
	Outcome       string    // OutcomeOK, OutcomeDenied or OutcomeFailed ("" means ok)
	RequestID     string    // request that caused it, to join with the server logs
	IP            string    // client address
	Via           string    // "web", "api" or "cli"
	TokenID       string    // API token used, if any
	// Detail is a short, NON-PERSONAL note: a reason code ("bad_password", "locked"), or
	// the names of the fields changed ("status,risk"). Never values, names, documents,
	// addresses or free text typed by a user: the audit trail is kept for years, is read
	// by auditors without access to case data, and cannot be edited or erased.
	Detail   string
	PrevHash string // hash of the event before (GenesisHash for the first)
	Hash     string // hex SHA-256 over PrevHash and every other field; see hashEvent
}

// Log appends to and reads the audit trail in one database. It is safe for concurrent
// use, also by several processes sharing the database.
type Log struct {
	d   *db.DB
	now func() time.Time // the clock; tests replace it
}

// New returns the audit log stored in d (tables created by migration 00003).
func New(d *db.DB) *Log {
	return &Log{d: d, now: time.Now}
}
