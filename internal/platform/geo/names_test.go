package geo

import (
	"strings"
	"testing"
)

func TestDisplayName(t *testing.T) {
	cases := map[string]string{
		"CAÑAR":                            "Cañar",
		"LOS RIOS":                         "Los Ríos",
		"SANTO DOMINGO DE LOS TSACHILAS":   "Santo Domingo de los Tsáchilas",
		"QUITO":                            "Quito",
		"GUAYAQUIL":                        "Guayaquil",
		"EL ORO":                           "El Oro",
		"SALITRE (URBINA JADO)":            "Salitre (Urbina Jado)",
		"ALFREDO BAQUERIZO MORENO (JUJAN)": "Alfredo Baquerizo Moreno (Jujan)",
		"  DOBLE   ESPACIO ":               "Doble Espacio",
		"MARIA-JOSE":                       "Maria-Jose",
		"":                                 "",
	}
	for raw, want := range cases {
		if got := displayName(raw); got != want {
			t.Errorf("displayName(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestFoldNameOrdersLikeSpanish(t *testing.T) {
	ordered := []string{"Cana", "Canz", "Caña", "Cao", "Carchi", "Chimborazo", "Los Ríos", "Losa"}
	for i := 1; i < len(ordered); i++ {
		if compareNames(ordered[i-1], "", ordered[i], "") >= 0 {
			t.Errorf("%q should sort before %q", ordered[i-1], ordered[i])
		}
	}
	if compareNames("Olmedo", "1116", "Olmedo", "1318") >= 0 {
		t.Error("namesakes must fall back to the code")
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	header := "canton_code,canton,province_code,province,region,population,area_km2\n"
	cases := map[string]string{
		"empty":         "",
		"header only":   header,
		"short row":     header + "0101,CUENCA,01\n",
		"population":    header + "0101,CUENCA,01,AZUAY,SIERRA,many,1.0\n",
		"area":          header + "0101,CUENCA,01,AZUAY,SIERRA,1,big\n",
		"region":        header + "0101,CUENCA,01,AZUAY,LUNA,1,1.0\n",
		"code mismatch": header + "0201,CUENCA,01,AZUAY,SIERRA,1,1.0\n",
		"duplicate":     header + "0101,CUENCA,01,AZUAY,SIERRA,1,1.0\n0101,CUENCA,01,AZUAY,SIERRA,1,1.0\n",
		"two names":     header + "0101,CUENCA,01,AZUAY,SIERRA,1,1.0\n0102,GIRON,01,ASUAY,SIERRA,1,1.0\n",
		"bad quoting":   header + "0101,\"CUENCA,01,AZUAY,SIERRA,1,1.0\n",
	}
	for name, src := range cases {
		if _, err := load([]byte(src)); err == nil || !strings.HasPrefix(err.Error(), "geo: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	d, err := load([]byte(header + "0101,CUENCA,01,AZUAY,SIERRA,10,1.5\n0102,GIRON,01,AZUAY,SIERRA,5,2\n"))
	if err != nil || len(d.provinces) != 1 || d.provinces[0].Population != 15 {
		t.Fatalf("small load: %+v, %v", d, err)
	}
}
