// Package reqinfo carries who is acting and through which request, from the web layer
// (or the CLI) down to the services and the audit trail, without importing either.
package reqinfo

import "context"

// Info describes the request in progress. The web middleware creates it with the
// request id and client IP; authentication fills in the user. The CLI sets Via "cli".
type Info struct {
	RequestID string
	IP        string
	UserID    string // empty when anonymous
	AgencyID  string
	Lang      string // "es" or "en"
	Via       string // "web", "api", "cli"
	TokenID   string // set when the request authenticated with an API token
}

type key struct{}

// With returns a context carrying info. Later changes to *info are visible to holders
// of the context, so middleware can fill in the user after authentication.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request info in ctx, or an empty Info (never nil).
func From(ctx context.Context) *Info {
	if i, ok := ctx.Value(key{}).(*Info); ok && i != nil {
		return i
	}
	return &Info{}
}
