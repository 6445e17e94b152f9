// Package errs is Amparo's one error type. Services return these; the web layer maps
// them to an HTTP status and a translated message in exactly one place.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller. It decides the HTTP status.
type Code string

// The codes every service may return.
const (
	CodeInvalid         Code = "invalid"         // 422: bad input, with field errors
	CodeNotFound        Code = "not_found"       // 404
	CodeForbidden       Code = "forbidden"       // 403
	CodeConflict        Code = "conflict"        // 409
	CodeUnauthenticated Code = "unauthenticated" // 401 or redirect to login
	CodeTooMany         Code = "too_many"        // 429
	CodeTooLarge        Code = "too_large"       // 413
	CodeUnavailable     Code = "unavailable"     // 503: the database cannot be read or written
	CodeInternal        Code = "internal"        // 500, details never shown
)

// Error carries a code, a catalog key for the public message (never personal data),
// optional field errors (field name -> catalog key) and the internal cause for logs.
type Error struct {
	Code   Code
	Key    string            // i18n key of the public message
	Args   map[string]any    // template data for the message
	Fields map[string]string // field -> i18n key
	Cause  error             // logged, never shown
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Key, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Key)
}

// Unwrap exposes the cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Cause }

// New builds an error with a code and a public message key.
func New(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Invalid returns a 422 error with field errors (field -> i18n key).
func Invalid(fields map[string]string) *Error {
	return &Error{Code: CodeInvalid, Key: "error.invalid", Fields: fields}
}

// NotFound returns a 404 error.
func NotFound() *Error { return &Error{Code: CodeNotFound, Key: "error.not_found"} }

// Forbidden returns a 403 error.
func Forbidden() *Error { return &Error{Code: CodeForbidden, Key: "error.forbidden"} }

// Conflict returns a 409 error with a specific message key.
func Conflict(key string) *Error { return &Error{Code: CodeConflict, Key: key} }

// Unauthenticated returns a 401 error.
func Unauthenticated() *Error {
	return &Error{Code: CodeUnauthenticated, Key: "error.unauthenticated"}
}

// Unavailable returns a 503 error: a dependency (the database) does not answer, so the
// request cannot be decided either way. Callers wrap the cause for the log.
func Unavailable() *Error { return &Error{Code: CodeUnavailable, Key: "error.unavailable"} }

// With attaches template arguments for the message.
func (e *Error) With(args map[string]any) *Error { e.Args = args; return e }

// Wrap attaches an internal cause.
func (e *Error) Wrap(cause error) *Error { e.Cause = cause; return e }

// CodeOf returns the code of err, or CodeInternal for anything that is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field errors while validating a form; Err returns nil when empty.
type Fields map[string]string

// Add records the first error for a field.
func (f Fields) Add(field, key string) {
	if _, ok := f[field]; !ok {
		f[field] = key
	}
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(map[string]string(f))
}
