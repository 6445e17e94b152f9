// Package i18n holds Amparo's message catalogs (Spanish first, English complete) and
// formats dates and numbers the way people in Ecuador read them.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Default is the language used when nothing else is known.
const Default = "es"

// Langs lists the supported languages, default first.
var Langs = []string{"es", "en"}

var tags = []language.Tag{language.Spanish, language.English}

var matcher = language.NewMatcher(tags)

// Catalog translates message keys. It is safe for concurrent use.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	keys       map[string]map[string]bool // lang -> key set
	mu         sync.Mutex
	missing    map[string]bool
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Load returns the catalog built from the embedded files (parsed once).
func Load() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCat, defaultErr = load() })
	return defaultCat, defaultErr
}

// MustLoad is Load for program start, where a broken embedded catalog is a bug.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func load() (*Catalog, error) {
	b := goi18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*goi18n.Localizer{},
		keys: map[string]map[string]bool{}, missing: map[string]bool{}}
	for _, lang := range Langs {
		data, err := catalogFS.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s catalog: %w", lang, err)
		}
		if _, err := b.ParseMessageFileBytes(data, lang+".json"); err != nil {
			return nil, fmt.Errorf("i18n: parse %s catalog: %w", lang, err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("i18n: %s catalog keys: %w", lang, err)
		}
		set := map[string]bool{}
		for k := range raw {
			set[k] = true
		}
		c.keys[lang] = set
		c.localizers[lang] = goi18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// Keys returns the sorted keys of one language's catalog.
func (c *Catalog) Keys(lang string) []string {
	out := make([]string, 0, len(c.keys[lang]))
	for k := range c.keys[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists in lang's catalog.
func (c *Catalog) Has(lang, key string) bool { return c.keys[lang][key] }

// T translates key into lang. args are name/value pairs for the message template
// ({{.Name}}); a "Count" argument selects the plural form. A missing key returns the
// key itself (tests make sure that never ships).
func (c *Catalog) T(lang, key string, args ...any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Default]
	}
	data := map[string]any{}
	var count any
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		data[name] = args[i+1]
		if name == "Count" {
			count = args[i+1]
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count}
	s, err := l.Localize(cfg)
	if (err != nil || s == "") && count != nil {
		// A message without plural forms still answers for any count.
		cfg.PluralCount = nil
		s, err = l.Localize(cfg)
	}
	if err != nil || s == "" {
		c.mu.Lock()
		c.missing[lang+":"+key] = true
		c.mu.Unlock()
		return key
	}
	return s
}

// TMap is T with the arguments already in a map (as errors carry them).
func (c *Catalog) TMap(lang, key string, args map[string]any) string {
	flat := make([]any, 0, len(args)*2)
	for k, v := range args {
		flat = append(flat, k, v)
	}
	return c.T(lang, key, flat...)
}

// Missing returns the lang:key pairs that were asked for but not found, for tests.
func (c *Catalog) Missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.missing))
	for k := range c.missing {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Match picks the language: the user's explicit choice when it is supported, else the
// best match for the Accept-Language header, else Spanish.
func Match(choice, acceptLanguage string) string {
	choice = strings.ToLower(strings.TrimSpace(choice))
	for _, l := range Langs {
		if choice == l {
			return l
		}
	}
	if acceptLanguage == "" {
		return Default
	}
	want, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(want) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(want...)
	if conf == language.No {
		return Default
	}
	return Langs[idx]
}

// Valid reports whether lang is a supported language code.
func Valid(lang string) bool {
	for _, l := range Langs {
		if l == lang {
			return true
		}
	}
	return false
}
