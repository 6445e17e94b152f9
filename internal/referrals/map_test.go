package referrals_test

import (
	"regexp"
	"testing"

	"github.com/amparo-ec/amparo/internal/platform/geo"
	"github.com/amparo-ec/amparo/internal/referrals"
)

var pathRe = regexp.MustCompile(`^(M\d+ \d+l[-\d ]+z)+$`)

func TestProvinceMap(t *testing.T) {
	m, err := referrals.Provinces()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shapes) != 24 {
		t.Fatalf("%d provinces drawn, want 24", len(m.Shapes))
	}
	seen, size := map[string]bool{}, 0
	for _, s := range m.Shapes {
		if _, ok := geo.ProvinceByCode(s.Code); !ok || seen[s.Code] {
			t.Fatalf("province %q unknown or twice", s.Code)
		}
		seen[s.Code] = true
		if !pathRe.MatchString(s.D) {
			t.Fatalf("%s: path %.80q… is not closed rings of whole numbers", s.Name, s.D)
		}
		size += len(s.D)
	}
	// Small enough to send with every map page, big enough to keep the shapes.
	if size > 40_000 || size < 5_000 {
		t.Fatalf("paths weigh %d bytes", size)
	}
	if m.Width < 300 || m.Width > 800 || m.Height < 300 || m.Height > 600 {
		t.Fatalf("viewBox %dx%d", m.Width, m.Height)
	}
	if m.Inset.W <= 0 || m.Inset.X < 0 || m.Inset.X+m.Inset.W > m.Width/2 {
		t.Fatalf("Galápagos inset %+v should sit on the western side", m.Inset)
	}
}

func TestMapClasses(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want [][2]int
	}{
		{0, [][2]int{{0, 0}}},
		{1, [][2]int{{0, 0}, {1, 1}}},
		{3, [][2]int{{0, 0}, {1, 1}, {2, 2}, {3, 3}}},
		{8, [][2]int{{0, 0}, {1, 2}, {3, 4}, {5, 6}, {7, 8}}},
		{10, [][2]int{{0, 0}, {1, 3}, {4, 5}, {6, 8}, {9, 10}}},
	} {
		got := referrals.MapClasses(tc.max)
		if len(got) != len(tc.want) {
			t.Fatalf("max %d: %+v", tc.max, got)
		}
		for i, c := range got {
			if c.Min != tc.want[i][0] || c.Max != tc.want[i][1] {
				t.Fatalf("max %d: class %d is %d–%d, want %v", tc.max, i, c.Min, c.Max, tc.want[i])
			}
		}
		if tc.max > 0 && referrals.FillFor(got, tc.max) != got[len(got)-1].Fill {
			t.Fatalf("max %d: the largest count is not in the darkest class", tc.max)
		}
		if tc.max > 0 && referrals.FillFor(got, 0) == referrals.FillFor(got, 1) {
			t.Fatalf("max %d: no service and one service look the same", tc.max)
		}
	}
}
