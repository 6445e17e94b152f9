package secure

import (
	"slices"
	"testing"
)

func TestPhoneticKeysCodes(t *testing.T) {
	tests := map[string][]string{
		"Yesenia Vásquez":           {"YESENIA", "BASKES"},
		"Llesenia Basques":          {"YESENIA", "BASKES"},
		"María de los Ángeles":      {"MARIA", "ANJELES"},
		"Guillermo Chávez":          {"GIYERMO", "XABES"},
		"Stefany Quiñónez":          {"ESTEFANI", "KINONES"},
		"Xavier Alexandra":          {"JABIER", "ALEKSANDRA"},
		"J. Pérez Pérez":            {"PERES"},
		"":                          nil,
		"Ana 2":                     {"ANA"},
		"Геннадий":                  {"ГЕНАДИ"},
		"Sahara Isaac Carrillo":     {"SARA", "ISAK", "KARIYO"},
		"Phillip Sheila Washington": {"FIYIP", "SEILA", "UASINGTON"},
	}
	for in, want := range tests {
		if got := PhoneticKeys(in); !slices.Equal(got, want) {
			t.Errorf("PhoneticKeys(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneticKeysMatch(t *testing.T) {
	same := [][]string{
		{"Yesenia Vásquez", "Llesenia Basques", "YESSENIA VAZQUEZ"},
		{"Jiménez", "Giménez", "Ximénez", "Jimenes"},
		{"Jimena", "Ximena"},
		{"Javier", "Xavier"},
		{"Stefany", "Estefany", "Estefani", "Stephany"},
		{"Jhon", "John", "Jon"},
		{"Guillermo", "Guiyermo", "GUILLERMO"},
		{"Quintero", "Kintero", "Kinttero"},
		{"Cecilia", "Sesilia", "Zecilia"},
		{"Hernández", "Ernandes", "Hernandez"},
		{"Alexandra", "Aleksandra", "Alexsandra"},
		{"Isabel", "Ysabel", "Izabel", "Isavel"},
		{"Peña", "Pena", "Penha"},
		{"Carrillo", "Cariyo", "Carillo"},
		{"Geovanny", "Jeovani", "Jeovanny"},
		{"Wilson", "Uilson"},
		{"Nataly", "Natali", "Nathaly"},
	}
	for _, group := range same {
		want := PhoneticKeys(group[0])
		for _, name := range group[1:] {
			if got := PhoneticKeys(name); !slices.Equal(got, want) {
				t.Errorf("%q gives %q, %q gives %q: want equal", group[0], want, name, got)
			}
		}
	}
	different := [][2]string{
		{"María", "Mario"},
		{"Pérez", "Paredes"},
		{"Vásquez", "Velásquez"},
		{"Castro", "Castillo"},
		{"Luis", "Luisa"},
		{"Gómez", "Gámez"},
		{"Ana", "Andrea"},
		{"Rosa", "Rocío"},
		{"Gabriel", "Gabriela"},
		{"Guillermo", "Gillermo"}, // gi sounds like ji
		{"Quintero", "Cintero"},   // ci sounds like si
	}
	for _, pair := range different {
		a, b := PhoneticKeys(pair[0]), PhoneticKeys(pair[1])
		if slices.Equal(a, b) {
			t.Errorf("%q and %q both give %q: want different", pair[0], pair[1], a)
		}
	}
}

// Callers store blind indexes of phonetic keys; the match must survive that step.
func TestPhoneticBlindIndex(t *testing.T) {
	kr := mustParse(t, "k1:"+testKey1)
	index := func(name string) []string {
		var out []string
		for _, k := range PhoneticKeys(name) {
			out = append(out, kr.BlindIndex("name_phon", k))
		}
		return out
	}
	if a, b := index("Yesenia Vásquez"), index("Llesenia Basques"); !slices.Equal(a, b) || len(a) != 2 {
		t.Errorf("phonetic blind indexes differ: %q %q", a, b)
	}
}
