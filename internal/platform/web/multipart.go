package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/text"
)

// Upload is one file of a multipart form, held in memory.
type Upload struct {
	Field    string // the form field it came in
	Filename string // the name the browser gave, without folders
	Data     []byte
}

// maxTextPart bounds one text field of a multipart form; the forms that upload files
// carry a few short fields beside them.
const maxTextPart = 64 << 10

// ReadMultipart reads a multipart/form-data body into memory and never onto disk:
// http.Request.ParseMultipartForm spools every file over its memory limit to the
// system's temporary folder, in clear, where a victim's scanned documents would outlive
// the request. Files are read up to maxFile bytes each (a larger one is 413, like a
// body over the stack's limit, which bounds the total); text fields and file names are
// judged like every other form (CheckValues: 422 naming the field), and a form of more
// than text.MaxList parts is refused. At most MaxUploadsInFlight uploads are held at
// once; the others wait up to UploadWait, then get 503.
func ReadMultipart(r *http.Request, maxFile int64) (url.Values, []Upload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, nil, errs.Invalid(map[string]string{"body": "error.bad_request"})
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, errs.Invalid(map[string]string{"body": "error.bad_request"}).Wrap(err)
	}
	if err := takeUploadSlot(r); err != nil {
		return nil, nil, err
	}
	values := url.Values{}
	names := url.Values{} // file names by field, judged as text below
	var files []Upload
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, multipartError(err)
		}
		if n == text.MaxList {
			part.Close()
			return nil, nil, errs.Invalid(map[string]string{"body": text.KeyList})
		}
		field := part.FormName()
		if field == "" {
			part.Close()
			continue // not a form field (RFC 7578 requires a name); nothing to keep
		}
		if part.FileName() == "" && !isFilePart(part.Header.Get("Content-Disposition")) {
			data, err := io.ReadAll(io.LimitReader(part, maxTextPart+1))
			part.Close()
			if err != nil {
				return nil, nil, multipartError(err)
			}
			if len(data) > maxTextPart {
				return nil, nil, errs.Invalid(map[string]string{field: "validation.too_long"})
			}
			values.Add(field, string(data))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, maxFile+1))
		part.Close()
		if err != nil {
			return nil, nil, multipartError(err)
		}
		if int64(len(data)) > maxFile {
			return nil, nil, errs.New(errs.CodeTooLarge, "error.too_large")
		}
		names.Add(field, part.FileName())
		files = append(files, Upload{Field: field, Filename: part.FileName(), Data: data})
	}
	if fields := CheckValues(values); fields != nil {
		return nil, nil, errs.Invalid(fields)
	}
	if fields := CheckValues(names); fields != nil {
		return nil, nil, errs.Invalid(fields)
	}
	return values, files, nil
}

// isFilePart reports whether a part's Content-Disposition has a filename parameter,
// even an empty one (a file input left empty sends filename="").
func isFilePart(cd string) bool {
	_, params, err := mime.ParseMediaType(cd)
	if err != nil {
		return false
	}
	_, ok := params["filename"]
	return ok
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errs.New(errs.CodeTooLarge, "error.too_large")
	}
	return errs.Invalid(map[string]string{"body": "error.bad_request"}).Wrap(err)
}
