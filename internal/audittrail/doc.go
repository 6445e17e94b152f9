// Package audittrail is the auditor's window on the audit trail: the event list with
// filters in the URL, "what did this user touch between these dates" with a CSV export,
// the chain check, and the same list as JSON for auditors' tools.
//
// It reads the trail only through platform/audit and resolves people and agencies
// through the identity service (a small interface it declares), never their tables.
// Viewing needs View on access.Audit, exporting Export on access.Audit: the route guard
// checks it and the service checks it again. Exports and chain checks are themselves
// audit events ("export.audit_csv", "audit.verify"); their detail names the filter by
// ids and codes only, never by an email or a name.
package audittrail
