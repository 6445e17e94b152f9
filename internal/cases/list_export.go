package cases

import "context"

// ExportRows returns the cases of a filtered list for the CSV export, at most max, with
// their forms of exploitation. Like List, it holds only the cases the user sees in
// full: cases another agency opened to theirs are never exported, since what a
// referral carries is the owning agency's data, lent for a service.
func (s *Service) ExportRows(ctx context.Context, f Filter, max int) ([]*Row, error) {
	f.PerPage = 200
	var rows []*Row
	for f.Page = 1; ; f.Page++ {
		page, total, err := s.List(ctx, f)
		if err != nil {
			return nil, err
		}
		rows = append(rows, page...)
		if len(page) == 0 || len(rows) >= total || len(rows) >= max {
			break
		}
	}
	// The list reads no multi-valued codes; the export needs the forms of exploitation.
	// (One query per case: a batched read would be kinder to big exports.)
	for _, row := range rows {
		if err := s.st.loadValues(ctx, &row.Case); err != nil {
			return nil, err
		}
	}
	return rows, nil
}
