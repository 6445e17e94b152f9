package geo

import "slices"

// Provinces returns the 24 provinces sorted by name in Spanish order (accents ignored,
// ñ after n). The slice is the caller's; the provinces are shared and read-only.
func Provinces() []*Province {
	return slices.Clone(dpa.provinces)
}

// ProvinceByCode returns the province with the two-digit DPA code, such as "09" for
// Guayas.
func ProvinceByCode(code string) (*Province, bool) {
	p, ok := dpa.byProv[code]
	return p, ok
}

// CantonByCode returns the canton with the four-digit DPA code, such as "0901" for
// Guayaquil.
func CantonByCode(code string) (*Canton, bool) {
	c, ok := dpa.byCanton[code]
	return c, ok
}

// CantonsOf returns the cantons of a province sorted by name, or nil for an unknown
// province. The slice is the caller's; the cantons are shared and read-only.
func CantonsOf(provinceCode string) []*Canton {
	p, ok := dpa.byProv[provinceCode]
	if !ok {
		return nil
	}
	return slices.Clone(p.Cantons)
}

// CantonInProvince reports whether canton is the code of a known canton of the province
// with code province. Forms use it to reject a canton that does not match the province.
func CantonInProvince(canton, province string) bool {
	c, ok := dpa.byCanton[canton]
	return ok && c.ProvinceCode == province
}

// ProvincesGeoJSON returns the provinces' boundaries as a GeoJSON FeatureCollection
// (WGS84, simplified to about 600 m) whose features carry the properties "code" and
// "name" (source spelling). The bytes are shared: do not modify them.
func ProvincesGeoJSON() []byte { return provincesGeoJSON }

// CantonsGeoJSON returns the cantons' boundaries as a GeoJSON FeatureCollection (WGS84,
// simplified to about 600 m) whose features carry "code", "name" (source spelling) and
// "province" (its code). The bytes are shared: do not modify them.
func CantonsGeoJSON() []byte { return cantonsGeoJSON }
