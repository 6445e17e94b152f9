package text_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amparo-ec/amparo/internal/platform/text"
)

func TestProblem(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", ""},
		{"María José Quishpe", ""},
		{"línea 1\nlínea 2\r\n\tsangría", ""},
		{"Ñandú, ¿qué? 1.234,5 — “comillas” 日本語 العربية", ""}, // Arabic needs no marks
		{"emoji 👩🏽‍⚕️ with a zero-width joiner", ""},
		{"a\x00b", text.KeyControl},
		{"\x1b[31mred", text.KeyControl},
		{"bell\a", text.KeyControl},
		{"del\x7f", text.KeyControl},
		{"c1 \u0085 next line", text.KeyControl},
		{"\xff\xfe", text.KeyEncoding},
		{"half \xe2\x82", text.KeyEncoding},
		{"over\xc0\xafflow", text.KeyEncoding}, // an overlong "/"
		{"invoice\u202efdp.exe", text.KeyBidi},
		{"\u202aphone\u202c", text.KeyBidi},
		{"\u2066isolate\u2069", text.KeyBidi},
		{"mark\u200e", text.KeyBidi},
		{"mark\u200f", text.KeyBidi},
		{"arabic letter mark\u061c", text.KeyBidi},
	} {
		if got := text.Problem(tc.in); got != tc.want {
			t.Errorf("Problem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBlank(t *testing.T) {
	blank := []string{"", " ", "\t\n", "\u00a0", "\u3000", "\u200b", "\u200b\u200c\u200d", "\ufeff",
		"\u00ad", "\u2060", "\u180e", "\u3164", "\u115f\u1160", "\uffa0", "\u2800", "\u034f",
		"\ufe0f", "\u0301", "\U000e0041", "\u200e\u200f", " \u200b \u3164 "}
	for _, s := range blank {
		if !text.Blank(s) {
			t.Errorf("Blank(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"a", "Ñ", " x ", "\u200bA", "1", ".", "😀", "日", "é", "e\u0301"} {
		if text.Blank(s) {
			t.Errorf("Blank(%q) = true, want false", s)
		}
	}
}

// FuzzProblem: Problem never panics, accepts only valid UTF-8 with no control or
// bidirectional characters, and a string it accepts stays accepted inside other text.
func FuzzProblem(f *testing.F) {
	for _, s := range []string{"", "María", "a\x00b", "\xff", "x\u202ey", "\u200b", "línea\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := text.Problem(s)
		if key != "" {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("Problem accepted invalid UTF-8 %q", s)
		}
		for _, r := range s {
			if r < 0x20 && !strings.ContainsRune("\t\n\r", r) || r >= 0x7f && r <= 0x9f || text.IsBidiControl(r) {
				t.Fatalf("Problem accepted %q holding %U", s, r)
			}
		}
		if text.Problem("«"+s+"»") != "" {
			t.Fatalf("accepted %q alone but not inside other text", s)
		}
		_ = text.Blank(s)
	})
}
