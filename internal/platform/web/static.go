package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

type asset struct {
	name  string
	hash  string
	data  []byte
	ctype string
}

var assets = loadAssets()

func loadAssets() map[string]*asset {
	out := map[string]*asset{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[name] = &asset{name: name, hash: hex.EncodeToString(sum[:])[:12], data: data, ctype: ct}
		return nil
	})
	return out
}

// AssetPath returns the URL of a static file with its content hash in the name
// (app.css -> /static/app.3f2a9c1b0d4e.css), so it can be cached for a year.
func AssetPath(name string) string {
	a, ok := assets[name]
	if !ok {
		return "/static/" + name
	}
	ext := path.Ext(name)
	return "/static/" + strings.TrimSuffix(name, ext) + "." + a.hash + ext
}

// ServeStatic serves embedded assets. Hashed names get a one-year immutable cache;
// unhashed names (or a stale hash) are served with revalidation.
func ServeStatic(w http.ResponseWriter, r *http.Request) {
	file := strings.TrimPrefix(r.URL.Path, "/static/")
	ext := path.Ext(file)
	stem := strings.TrimSuffix(file, ext)
	var a *asset
	hashed := false
	if i := strings.LastIndexByte(stem, '.'); i > 0 {
		if cand, ok := assets[stem[:i]+ext]; ok {
			a, hashed = cand, cand.hash == stem[i+1:]
		}
	}
	if a == nil {
		a = assets[file]
	}
	if a == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("ETag", `"`+a.hash+`"`)
	if hashed {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+a.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.data)
}
