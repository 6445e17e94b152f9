package app

// The encrypted columns of the capabilities, registered for key rotation and
// "amparo keys status". Each AAD is built exactly as the capability's store builds it:
// "<kind>:<row id>:<field>".

func init() {
	col := func(table, column, kind, field string) EncryptedColumn {
		return EncryptedColumn{Table: table, IDColumn: "id", Column: column,
			AAD: func(id string) string { return kind + ":" + id + ":" + field }}
	}
	for _, f := range []string{"given_names", "family_names", "aliases", "birth_date", "documents", "contact",
		"disability_notes", "guardian", "safety_plan"} {
		RegisterEncrypted(col("cases", "enc_"+f, "case", f))
	}
	RegisterEncrypted(
		col("case_events", "enc_narrative", "case_event", "narrative"),
		col("case_consents", "enc_representative", "case_consent", "representative"),
		col("case_consents", "enc_notes", "case_consent", "notes"),
		col("case_services", "enc_notes", "case_service", "notes"),
		col("case_approvals", "enc_comment", "case_approval", "comment"),
		col("case_status_history", "enc_comment", "case_status", "comment"),
		col("case_tasks", "enc_title", "case_task", "title"),
		col("case_notes", "enc_body", "case_note", "body"),
		col("case_attachments", "enc_filename", "case_attachment", "filename"),
		col("case_attachments", "enc_data", "case_attachment", "data"),
		col("case_flags", "enc_reason", "case_flag", "reason"),
		col("referrals", "enc_payload", "referral", "payload"),
		col("referrals", "enc_reason", "referral", "reason"),
		col("referrals", "enc_feedback", "referral", "feedback"),
		col("referral_events", "enc_comment", "referral_event", "comment"),
		col("shelters", "enc_address", "shelter", "address"),
	)
}
