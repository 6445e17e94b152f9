package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

//go:embed templates/*.html
var templatesFS embed.FS

// TemplateSet is one capability's templates: files in FS named <Prefix>/<name>.html
// become the page "<Prefix>/<name>"; files whose name starts with "_" are partials
// shared by every page.
type TemplateSet struct {
	Prefix string
	FS     fs.FS // holds *.html at its root
}

// Renderer holds every page parsed once at start.
type Renderer struct {
	pages   map[string]*template.Template
	catalog *i18n.Catalog
	bufs    sync.Pool
}

// NewRenderer parses the layout and partials of this package and of every set, then
// each page on its own copy, so pages can each define "content" and "title".
func NewRenderer(cat *i18n.Catalog, sets ...TemplateSet) (*Renderer, error) {
	all := append([]TemplateSet{{Prefix: "web", FS: mustSub(templatesFS, "templates")}}, sets...)
	base := template.New("root").Funcs(Funcs(cat))
	type pageFile struct {
		name string
		fs   fs.FS
		file string
	}
	var pages []pageFile
	for _, s := range all {
		files, err := fs.Glob(s.FS, "*.html")
		if err != nil {
			return nil, fmt.Errorf("web: templates of %s: %w", s.Prefix, err)
		}
		for _, f := range files {
			if strings.HasPrefix(f, "_") || f == "layout.html" {
				if _, err := base.ParseFS(s.FS, f); err != nil {
					return nil, fmt.Errorf("web: parse %s/%s: %w", s.Prefix, f, err)
				}
				continue
			}
			pages = append(pages, pageFile{s.Prefix + "/" + strings.TrimSuffix(f, ".html"), s.FS, f})
		}
	}
	r := &Renderer{pages: map[string]*template.Template{}, catalog: cat}
	r.bufs.New = func() any { return new(bytes.Buffer) }
	for _, p := range pages {
		if _, dup := r.pages[p.name]; dup {
			return nil, fmt.Errorf("web: two pages named %s", p.name)
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(p.fs, p.file); err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", p.name, err)
		}
		r.pages[p.name] = t
	}
	return r, nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Pages lists the page names, for tests.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for k := range r.pages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Render writes the page inside the layout with status. It renders into a buffer first,
// so a template error becomes a clean 500 instead of half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page string, p *Page) error {
	return r.exec(w, status, page, "layout", p)
}

// RenderFragment writes one named template of a page without the layout (for htmx).
func (r *Renderer) RenderFragment(w http.ResponseWriter, status int, page, name string, p *Page) error {
	return r.exec(w, status, page, name, p)
}

func (r *Renderer) exec(w http.ResponseWriter, status int, page, name string, p *Page) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, name, p); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Funcs are the template functions every page may use.
func Funcs(cat *i18n.Catalog) template.FuncMap {
	return template.FuncMap{
		"asset":    AssetPath,
		"date":     i18n.FormatDate,
		"datetime": i18n.FormatDateTime,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"list": func(v ...any) []any { return v },
		// fieldID is the id of a form control named name (see Page.Field).
		"fieldID":   func(name string) string { return "f-" + strings.ReplaceAll(name, ".", "-") },
		"join":      strings.Join,
		"base":      path.Base,
		"add":       func(a, b int) int { return a + b },
		"hasPrefix": strings.HasPrefix,
	}
}
