package secure

import (
	"slices"
	"testing"
)

// The vector was computed independently with Python: HMAC-SHA256 under the HKDF index
// subkey of bytes 1..32, over "given_names\x00jose maria", first 16 bytes.
func TestBlindIndexKnownAnswer(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1)
	const want = "3a8d426a02d235831122f70251d6c0bf"
	for _, v := range []string{"jose maria", "  JOSÉ  María ", "José-María"} {
		if got := kr.BlindIndex("given_names", v); got != want {
			t.Errorf("BlindIndex(%q) = %s, want %s", v, got, want)
		}
	}
}

func TestBlindIndexSeparation(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1+"\nk2:"+testKey2)
	other := mustParse(t, "k2:"+testKey2)
	a := kr.BlindIndex("given_names", "Ana")
	switch {
	case len(a) != 32:
		t.Errorf("index %q is not 32 hex characters", a)
	case a == kr.BlindIndex("family_names", "Ana"):
		t.Error("kinds do not separate indexes")
	case a == kr.BlindIndex("given_names", "Anna"):
		t.Error("different values share an index")
	case a == other.BlindIndex("given_names", "Ana"):
		t.Error("different index keys share an index")
	case kr.BlindIndex("given_names", " -- ") != "":
		t.Error("a value with no letters got an index")
	}
	if kr.DocumentIndex("cedula", "17.1234-567 8") != kr.DocumentIndex("cedula", "1712345678") {
		t.Error("document numbers with separators do not match")
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"  José  MARÍA-Pérez ":   "jose maria perez",
		"jose maria perez":       "jose maria perez",
		"PEÑA\tÑuñez\n":          "pena nunez",
		"D'Alessandro O´Neil":    "dalessandro oneil",
		"María_de.los,Ángeles!":  "maria de los angeles",
		"ﬁorella Ｇｏｍｅｚ":          "fiorella gomez",
		"Müller Çelik Ærø":       "muller celik ærø",
		"Jean-Luc  ":             "jean luc",
		"Agent 007":              "agent 007",
		"":                       "",
		"¿?¡!":                   "",
		"Владимир Путин":         "владимир путин",
		"İstanbul":               "istanbul",
		"\xff\xfe bad utf8 José": "bad utf8 jose",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeDocument(t *testing.T) {
	tests := map[string]string{
		"17.1234-567 8": "1712345678",
		"1712345678":    "1712345678",
		"ab-123.456/7":  "AB1234567",
		" pasaporte Ñ1": "PASAPORTEN1",
		"":              "",
	}
	for in, want := range tests {
		if got := NormalizeDocument(in); got != want {
			t.Errorf("NormalizeDocument(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameTokens(t *testing.T) {
	tests := map[string][]string{
		"María de los Ángeles PÉREZ Pérez": {"maria", "angeles", "perez"},
		"  Juan  y   Pablo ":               {"juan", "pablo"},
		"de la Torre":                      {"torre"},
		"":                                 nil,
		"-":                                nil,
	}
	for in, want := range tests {
		if got := NameTokens(in); !slices.Equal(got, want) {
			t.Errorf("NameTokens(%q) = %q, want %q", in, got, want)
		}
	}
}
