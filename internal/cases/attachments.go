package cases

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/db"
	"github.com/amparo-ec/amparo/internal/platform/errs"
)

// MaxAttachmentSize is the largest file a case accepts (10 MiB). Handlers should cap the
// request body a little above it (http.MaxBytesReader) so a larger upload is refused
// before it is read whole.
const MaxAttachmentSize = 10 << 20

// maxFilename is the longest file name kept, in characters.
const maxFilename = 200

// Attachment is a file of a case (its content is not included).
type Attachment struct {
	ID           string    `json:"id"`
	CaseID       string    `json:"case_id"`
	Filename     string    `json:"filename"`     // sanitised, encrypted at rest
	ContentType  string    `json:"content_type"` // decided from the content
	Size         int64     `json:"size"`
	UploadedBy   string    `json:"uploaded_by"`
	UploaderName string    `json:"uploader_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// fileTypes are the accepted types, each with the bytes its files start with and its
// usual file name endings (the first is added when a name has none of them).
var fileTypes = []struct {
	mime  string
	magic func([]byte) bool
	exts  []string
}{
	{"application/pdf", func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) }, []string{".pdf"}},
	{"image/png", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }, []string{".png"}},
	{"image/jpeg", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) }, []string{".jpg", ".jpeg"}},
	{"image/gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}, []string{".gif"}},
	{"image/webp", func(b []byte) bool {
		return len(b) >= 16 && string(b[:4]) == "RIFF" && string(b[8:15]) == "WEBPVP8"
	}, []string{".webp"}},
}

// SniffType returns the type of a file from its content: one of the accepted types when
// both the standard library's sniffer and the file's signature agree, "" otherwise. The
// name and the type the browser claims are never trusted.
func SniffType(data []byte) string {
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	for _, t := range fileTypes {
		if t.mime == ct && t.magic(data) {
			return ct
		}
	}
	return ""
}

// CleanFilename keeps the base name of what the browser sent (also after a Windows
// path), drops control and invisible formatting characters (a right-to-left override
// can disguise "gpj.exe" as "exe.jpg"), limits the length and makes the ending match
// the type found in the content.
func CleanFilename(name, contentType string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, name)
	name = strings.Trim(collapse(name), " .")
	ext := strings.ToLower(path.Ext(name))
	stem, final := name, ""
	for _, t := range fileTypes {
		if slices.Contains(t.exts, ext) { // a known ending is replaced; others stay in the stem
			stem = name[:len(name)-len(ext)]
			final = ext
		}
	}
	for _, t := range fileTypes {
		if t.mime == contentType && !slices.Contains(t.exts, final) {
			final = t.exts[0]
		}
	}
	if stem = strings.TrimRight(stem, " ."); stem == "" {
		stem = "documento"
	}
	if r := []rune(stem); len(r)+len(final) > maxFilename {
		stem = strings.TrimSpace(string(r[:maxFilename-len(final)]))
	}
	return stem + final
}

// AddAttachment stores a file on a case, encrypted. Only PDF documents and images
// (PNG, JPEG, GIF, WebP) of at most MaxAttachmentSize are accepted, judged by content.
func (s *Service) AddAttachment(ctx context.Context, caseID, filename string, data []byte) (*Attachment, error) {
	sub, err := s.check(ctx, caseID, access.Update)
	if err != nil {
		return nil, err
	}
	var ct string
	switch {
	case len(data) == 0:
		return nil, errs.Invalid(map[string]string{"file": "cases.err.file_empty"})
	case len(data) > MaxAttachmentSize:
		return nil, errs.Invalid(map[string]string{"file": "cases.err.file_size"})
	default:
		if ct = SniffType(data); ct == "" {
			return nil, errs.Invalid(map[string]string{"file": "cases.err.file_type"})
		}
	}
	a := &Attachment{ID: newID(), CaseID: caseID, Filename: CleanFilename(filename, ct), ContentType: ct,
		Size: int64(len(data)), UploadedBy: sub.UserID, CreatedAt: s.Now().UTC()}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if err := s.writable(ctx, caseID); err != nil {
			return err
		}
		sl := &sealer{kr: s.kr, kind: "case_attachment", id: a.ID}
		name := sl.seal("filename", a.Filename)
		if sl.err != nil {
			return sl.err
		}
		enc, err := s.kr.Encrypt(data, sl.aad("data"))
		if err != nil {
			return fmt.Errorf("cases: encrypt attachment: %w", err)
		}
		if _, err := s.d.Exec(ctx, `INSERT INTO case_attachments (id, case_id, enc_filename, content_type, size, enc_data,
			uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, caseID, name, ct, a.Size, enc, sub.UserID,
			db.FormatTime(a.CreatedAt)); err != nil {
			return fmt.Errorf("cases: add attachment: %w", err)
		}
		return s.record(ctx, "case.attachment_add", "case", caseID, ct)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

const attachmentCols = `SELECT a.id, a.enc_filename, a.content_type, a.size, a.uploaded_by, COALESCE(u.name, ''),
	a.created_at`

// Attachments lists the files of a case, newest first, without their content.
func (s *Service) Attachments(ctx context.Context, caseID string) ([]Attachment, error) {
	if _, _, err := s.seeSection(ctx, caseID, SecAttachments); err != nil {
		return nil, err
	}
	rows, err := s.d.Query(ctx, attachmentCols+` FROM case_attachments a LEFT JOIN users u ON u.id = a.uploaded_by
		WHERE a.case_id = ? ORDER BY a.created_at DESC, a.id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: attachments: %w", err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		a, _, err := s.scanAttachment(rows, caseID, false)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Attachment returns one file of a case with its decrypted content, for download. The
// download is audited.
func (s *Service) Attachment(ctx context.Context, caseID, id string) (*Attachment, []byte, error) {
	if _, _, err := s.seeSection(ctx, caseID, SecAttachments); err != nil {
		return nil, nil, err
	}
	row := s.d.QueryRow(ctx, attachmentCols+`, a.enc_data FROM case_attachments a LEFT JOIN users u ON u.id = a.uploaded_by
		WHERE a.case_id = ? AND a.id = ?`, caseID, id)
	a, data, err := s.scanAttachment(row, caseID, true)
	if err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, "case.attachment_download", "case", caseID, a.ID); err != nil {
		return nil, nil, err
	}
	return a, data, nil
}

func (s *Service) scanAttachment(sc interface{ Scan(...any) error }, caseID string, withData bool) (*Attachment, []byte, error) {
	a := &Attachment{CaseID: caseID}
	var name, at, enc string
	dest := []any{&a.ID, &name, &a.ContentType, &a.Size, &a.UploadedBy, &a.UploaderName, &at}
	if withData {
		dest = append(dest, &enc)
	}
	if err := sc.Scan(dest...); err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return nil, nil, errs.NotFound()
		}
		return nil, nil, fmt.Errorf("cases: attachment: %w", err)
	}
	sl := &sealer{kr: s.kr, kind: "case_attachment", id: a.ID}
	a.Filename = sl.open("filename", name)
	if sl.err != nil {
		return nil, nil, sl.err
	}
	a.CreatedAt, _ = db.ParseTime(at)
	if !withData {
		return a, nil, nil
	}
	data, err := s.kr.Decrypt(enc, sl.aad("data"))
	if err != nil {
		return nil, nil, fmt.Errorf("cases: decrypt attachment %s: %w", a.ID, err)
	}
	return a, data, nil
}
