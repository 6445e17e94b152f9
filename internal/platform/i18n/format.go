package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // America/Guayaquil must resolve on machines without tzdata
)

// DefaultZone is the zone dates are shown in unless configured otherwise.
const DefaultZone = "America/Guayaquil"

var zone = mustZone(DefaultZone)

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// SetZone changes the display zone (from configuration).
func SetZone(name string) error {
	z, err := time.LoadLocation(name)
	if err != nil {
		return err
	}
	zone = z
	return nil
}

// Zone returns the display zone.
func Zone() *time.Location { return zone }

// FormatDate shows t as dd/mm/yyyy in the display zone; the zero time is "".
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("02/01/2006")
}

// FormatDateTime shows t as dd/mm/yyyy hh:mm in the display zone.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("02/01/2006 15:04")
}

// ParseDate reads a date typed as dd/mm/yyyy or given as yyyy-mm-dd (HTML date inputs).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02", s, zone); err == nil {
		return t, nil
	}
	return time.ParseInLocation("02/01/2006", s, zone)
}

// separators returns the thousands and decimal separators for lang.
func separators(lang string) (thousands, decimal string) {
	if lang == "en" {
		return ",", "."
	}
	return ".", ","
}

// FormatInt shows n with thousands separators: 1.234 in Spanish, 1,234 in English.
func FormatInt(lang string, n int64) string {
	th, _ := separators(lang)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	s = group(s, th)
	if neg {
		return "-" + s
	}
	return s
}

// FormatNumber shows v with the given decimals: 1.234,5 in Spanish, 1,234.5 in English.
func FormatNumber(lang string, v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	th, dec := separators(lang)
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	out := group(intPart, th)
	if frac != "" {
		out += dec + frac
	}
	if v < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

func group(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	pre := len(digits) % 3
	if pre > 0 {
		b.WriteString(digits[:pre])
	}
	for i := pre; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
