package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/i18n"
)

// Every message key used in code or templates must exist in both catalogs. Keys are
// found two ways: in templates, every `.T "key"` call; everywhere, every string literal
// that looks like "namespace.name" where namespace is one of the catalogs' namespaces.
var (
	templateCall = regexp.MustCompile(`\.T\s+"([^"]+)"`)
	dotted       = regexp.MustCompile(`"([a-z][a-z0-9_]*)\.([a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)
)

// fileExt are endings that make a dotted literal a file name ("app.css"), not a key.
var fileExt = map[string]bool{"css": true, "js": true, "svg": true, "png": true, "html": true,
	"json": true, "txt": true, "csv": true, "pdf": true, "db": true, "key": true}

func moduleRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

func TestEveryUsedKeyIsTranslated(t *testing.T) {
	c := i18n.MustLoad()
	namespaces := map[string]bool{}
	for _, k := range c.Keys("es") {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	used := map[string]string{} // key -> first file
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		isGo := strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go")
		isTmpl := strings.HasSuffix(p, ".html")
		if !isGo && !isTmpl {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if isTmpl {
			for _, m := range templateCall.FindAllStringSubmatch(string(data), -1) {
				if _, ok := used[m[1]]; !ok {
					used[m[1]] = rel
				}
			}
		}
		for _, m := range dotted.FindAllStringSubmatch(string(data), -1) {
			if namespaces[m[1]] && !strings.HasSuffix(m[2], "_") && !fileExt[m[2][strings.LastIndexByte(m[2], '.')+1:]] {
				key := m[1] + "." + m[2]
				if _, ok := used[key]; !ok {
					used[key] = rel
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for key, file := range used {
		for _, lang := range i18n.Langs {
			if !c.Has(lang, key) {
				problems = append(problems, file+": key "+key+" missing in "+lang)
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	if len(used) < 10 {
		t.Fatalf("found only %d keys in use; the scanner is broken", len(used))
	}
}
