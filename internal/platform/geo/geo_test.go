package geo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The source holds 24 provinces and 221 cantons, Ecuador's official counts; there is no
// row for code 90 (zonas no delimitadas).
const (
	wantProvinces = 24
	wantCantons   = 221
)

func TestCounts(t *testing.T) {
	ps := Provinces()
	if len(ps) != wantProvinces {
		t.Fatalf("provinces: got %d, want %d", len(ps), wantProvinces)
	}
	n := 0
	var pop int64
	for _, p := range ps {
		n += len(p.Cantons)
		pop += p.Population
		if p.Code < "01" || p.Code > "24" {
			t.Errorf("province code %q outside 01–24", p.Code)
		}
	}
	if n != wantCantons || len(dpa.byCanton) != wantCantons {
		t.Fatalf("cantons: got %d (indexed %d), want %d", n, len(dpa.byCanton), wantCantons)
	}
	if _, ok := ProvinceByCode("90"); ok {
		t.Error("code 90 (zonas no delimitadas) must not be a province")
	}
	if pop < 15_000_000 || pop > 20_000_000 {
		t.Errorf("national population %d is implausible", pop)
	}
}

func TestEveryCantonHasItsProvince(t *testing.T) {
	for code, c := range dpa.byCanton {
		p, ok := ProvinceByCode(c.ProvinceCode)
		if !ok {
			t.Errorf("canton %s: province %s missing", code, c.ProvinceCode)
			continue
		}
		if !slices.Contains(p.Cantons, c) {
			t.Errorf("canton %s not listed in province %s", code, p.Code)
		}
		if !strings.HasPrefix(code, p.Code) {
			t.Errorf("canton %s does not start with its province code %s", code, p.Code)
		}
	}
	for _, p := range Provinces() {
		var sum int64
		for _, c := range p.Cantons {
			sum += c.Population
		}
		if sum != p.Population {
			t.Errorf("province %s: population %d, cantons sum %d", p.Code, p.Population, sum)
		}
	}
}

func TestProvinceNames(t *testing.T) {
	want := map[string]string{
		"01": "Azuay", "02": "Bolívar", "03": "Cañar", "04": "Carchi", "05": "Cotopaxi",
		"06": "Chimborazo", "07": "El Oro", "08": "Esmeraldas", "09": "Guayas",
		"10": "Imbabura", "11": "Loja", "12": "Los Ríos", "13": "Manabí",
		"14": "Morona Santiago", "15": "Napo", "16": "Pastaza", "17": "Pichincha",
		"18": "Tungurahua", "19": "Zamora Chinchipe", "20": "Galápagos", "21": "Sucumbíos",
		"22": "Orellana", "23": "Santo Domingo de los Tsáchilas", "24": "Santa Elena",
	}
	for code, name := range want {
		p, ok := ProvinceByCode(code)
		if !ok || p.Name != name {
			t.Errorf("province %s: got %+v, want %q", code, p, name)
		}
	}
	var got []string
	for _, p := range Provinces() {
		got = append(got, p.Name)
	}
	order := []string{"Azuay", "Bolívar", "Cañar", "Carchi", "Chimborazo", "Cotopaxi",
		"El Oro", "Esmeraldas", "Galápagos", "Guayas", "Imbabura", "Loja", "Los Ríos",
		"Manabí", "Morona Santiago", "Napo", "Orellana", "Pastaza", "Pichincha",
		"Santa Elena", "Santo Domingo de los Tsáchilas", "Sucumbíos", "Tungurahua",
		"Zamora Chinchipe"}
	if !slices.Equal(got, order) {
		t.Errorf("province order:\n got %q\nwant %q", got, order)
	}
	if p, _ := ProvinceByCode("12"); p.SourceName != "LOS RIOS" || p.Region != RegionCosta {
		t.Errorf("Los Ríos: source %q region %q", p.SourceName, p.Region)
	}
	if p, _ := ProvinceByCode("20"); p.Region != RegionInsular {
		t.Errorf("Galápagos region %q", p.Region)
	}
}

func TestCantonNames(t *testing.T) {
	want := map[string]string{
		"1701": "Quito", "0901": "Guayaquil", "0101": "Cuenca", "0907": "Durán",
		"0916": "Samborondón", "0923": "Coronel Marcelino Maridueña",
		"0927": "General Antonio Elizalde", "1006": "San Miguel de Urcuquí",
		"1808": "Santiago de Píllaro", "1907": "Centinela del Cóndor", "0502": "La Maná",
		"1316": "24 de Mayo", "1802": "Baños de Agua Santa", "2203": "La Joya de los Sachas",
		"0115": "Camilo Ponce Enríquez", "2402": "La Libertad", "0918": "Santa Lucía",
		"0922": "Simón Bolívar", "0110": "Oña", "1410": "Logroño", "0401": "Tulcán",
		"0804": "Quinindé", "2001": "San Cristóbal", "1703": "Mejía", "0109": "Sígsig",
		"2105": "Sucumbíos", "1304": "El Carmen", "0207": "Las Naves",
	}
	for code, name := range want {
		c, ok := CantonByCode(code)
		if !ok || c.Name != name {
			t.Errorf("canton %s: got %+v, want %q", code, c, name)
		}
	}
	if c, _ := CantonByCode("0907"); c.SourceName != "DURAN" || c.ProvinceCode != "09" || c.AreaKm2 <= 0 {
		t.Errorf("Durán: %+v", c)
	}
}

// TestNamesOnlyChangeCaseAndAccents guards the correction table against typos: apart
// from the expanded ranks, a display name folds back to its source name.
func TestNamesOnlyChangeCaseAndAccents(t *testing.T) {
	check := func(name, source string) {
		if strings.Contains(source, ".") {
			return
		}
		if foldName(name) != foldName(strings.Map(unaccentUpper, source)) {
			t.Errorf("%q is not a re-spelling of %q", name, source)
		}
	}
	used := map[string]bool{}
	for _, p := range Provinces() {
		check(p.Name, p.SourceName)
		for _, w := range strings.Fields(p.SourceName) {
			used[w] = true
		}
		for _, c := range p.Cantons {
			check(c.Name, c.SourceName)
			for _, w := range strings.Fields(c.SourceName) {
				used[w] = true
			}
		}
	}
	for w := range accented {
		if !used[w] {
			t.Errorf("accented[%q] matches no word of the data", w)
		}
	}
}

// unaccentUpper maps the source's few accented capitals so that they fold like the rest.
func unaccentUpper(r rune) rune {
	switch r {
	case 'Á':
		return 'A'
	case 'É':
		return 'E'
	case 'Í':
		return 'I'
	case 'Ó':
		return 'O'
	case 'Ú':
		return 'U'
	}
	return r
}

func TestLookups(t *testing.T) {
	if p, ok := ProvinceByCode("09"); !ok || p.Name != "Guayas" || len(p.Cantons) != 25 {
		t.Errorf("Guayas: %+v", p)
	}
	for _, code := range []string{"", "9", "00", "25", "90", "0901", "ECU"} {
		if _, ok := ProvinceByCode(code); ok {
			t.Errorf("ProvinceByCode(%q) found", code)
		}
	}
	for _, code := range []string{"", "01", "0100", "0915", "9001", "1701 "} {
		if _, ok := CantonByCode(code); ok {
			t.Errorf("CantonByCode(%q) found", code)
		}
	}
	cs := CantonsOf("24")
	if len(cs) != 3 || cs[0].Name != "La Libertad" || cs[1].Name != "Salinas" || cs[2].Name != "Santa Elena" {
		t.Errorf("CantonsOf(24): %+v", cs)
	}
	cs[0] = nil // the caller's slice: must not reach the package's data
	if CantonsOf("24")[0] == nil {
		t.Error("CantonsOf shares its slice")
	}
	if CantonsOf("99") != nil {
		t.Error("CantonsOf(99) not nil")
	}
	for _, p := range Provinces() {
		if !slices.IsSortedFunc(p.Cantons, func(a, b *Canton) int {
			return compareNames(a.Name, a.Code, b.Name, b.Code)
		}) {
			t.Errorf("cantons of %s not sorted", p.Code)
		}
	}
	cases := []struct {
		canton, province string
		want             bool
	}{
		{"1701", "17", true}, {"0901", "09", true}, {"0808", "08", true},
		{"1701", "09", false}, {"0901", "17", false}, {"1799", "17", false},
		{"", "", false}, {"17", "17", false},
	}
	for _, c := range cases {
		if got := CantonInProvince(c.canton, c.province); got != c.want {
			t.Errorf("CantonInProvince(%q, %q) = %v", c.canton, c.province, got)
		}
	}
}

func TestGeoJSONMatchesData(t *testing.T) {
	type collection struct {
		Features []struct {
			Properties struct{ Code, Province string }
		}
	}
	var provs, cants collection
	if err := json.Unmarshal(ProvincesGeoJSON(), &provs); err != nil {
		t.Fatalf("provinces geojson: %v", err)
	}
	if err := json.Unmarshal(CantonsGeoJSON(), &cants); err != nil {
		t.Fatalf("cantons geojson: %v", err)
	}
	if len(provs.Features) != wantProvinces || len(cants.Features) != wantCantons {
		t.Fatalf("features: %d provinces, %d cantons", len(provs.Features), len(cants.Features))
	}
	for _, f := range provs.Features {
		if _, ok := ProvinceByCode(f.Properties.Code); !ok {
			t.Errorf("geojson province %q unknown", f.Properties.Code)
		}
	}
	for _, f := range cants.Features {
		if !CantonInProvince(f.Properties.Code, f.Properties.Province) {
			t.Errorf("geojson canton %q/%q unknown", f.Properties.Code, f.Properties.Province)
		}
	}
}

func FuzzLookups(f *testing.F) {
	for _, s := range []string{"", "01", "0101", "90", "9001", "ecu", "EcU", "ñ", "\xff", "en"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if p, ok := ProvinceByCode(code); ok && p.Code != code {
			t.Fatalf("ProvinceByCode(%q) returned %q", code, p.Code)
		}
		if c, ok := CantonByCode(code); ok {
			if _, ok := ProvinceByCode(c.ProvinceCode); !ok || !CantonInProvince(code, c.ProvinceCode) {
				t.Fatalf("canton %q without its province", code)
			}
		}
		_ = CantonsOf(code)
		_ = CantonInProvince(code, code)
		if c, ok := CountryByCode(code); ok && !strings.EqualFold(c.Code3, code) {
			t.Fatalf("CountryByCode(%q) returned %q", code, c.Code3)
		}
		_ = Country{}.Name(code)
		_ = displayName(code)
		_ = foldName(code)
	})
}
