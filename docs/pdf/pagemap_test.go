package pdf

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestInspectPageMap proves that inspection keeps every page's displayed
// size, in page order, however many distinct sizes there are: with more
// than maxPageSizes of them the summary (PageSizes) drops the rare ones,
// but the map still has the one large page, and it survives the text form
// it travels and is stored in.
func TestInspectPageMap(t *testing.T) {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var kids []string
	page := func(box string) {
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)+1))
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox "+box+" >>")
	}
	for i := range 17 { // 17 sizes close to A4, two pages each
		for range 2 {
			page(fmt.Sprintf("[0 0 %.2f %.2f]", 590+float64(i)*0.3, 840+float64(i)*0.1))
		}
	}
	page("[0 0 842 1191]") // page 35: A3, once
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	info, err := inspectData(t, buildPDF("", objs...))
	if err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	if len(info.PageSizes) != maxPageSizes {
		t.Fatalf("summary of %d sizes, want %d", len(info.PageSizes), maxPageSizes)
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	var back Info
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	m := back.PageMap
	if m.Pages() != 35 {
		t.Fatalf("map of %d pages (%s), want 35", m.Pages(), m)
	}
	for p := 1; p <= 34; p++ {
		i := float64((p - 1) / 2)
		if w, h, ok := m.Size(p); !ok || w != round2(590+i*0.3) || h != round2(840+i*0.1) {
			t.Errorf("page %d: %g × %g (%v), want %g × %g", p, w, h, ok, round2(590+i*0.3), round2(840+i*0.1))
		}
	}
	if w, h, ok := m.Size(35); !ok || w != 842 || h != 1191 {
		t.Errorf("page 35: %g × %g (%v), want 842 × 1191", w, h, ok)
	}
	if _, _, ok := m.Size(36); ok {
		t.Error("page 36 of 35 has a size")
	}
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// TestPageMapText proves the text form: runs of one size are folded, a
// size that comes back is named by its index, every page is found again,
// a 5,000-page document of all different sizes stays within its byte
// budget, and malformed text is refused rather than misread.
func TestPageMapText(t *testing.T) {
	var b pageMapBuilder
	a4, land := dimOf(595.28, 841.89), dimOf(841.89, 595.28)
	for _, d := range []pageDim{a4, a4, a4, land, a4, land, land} {
		b.add(d)
	}
	if got, want := b.m.String(), "59528x84189,84189x59528;0*3,1,0,1*2"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	var m PageMap
	if err := m.UnmarshalText([]byte(b.m.String())); err != nil {
		t.Fatal(err)
	}
	for p, want := range []pageDim{a4, a4, a4, land, a4, land, land} {
		if w, h, ok := m.Size(p + 1); !ok || dimOf(w, h) != want {
			t.Errorf("page %d: %g × %g, want %v", p+1, w, h, want)
		}
	}

	var worst pageMapBuilder
	for i := range 5000 {
		worst.add(dimOf(10000+float64(i)*0.01, 10000-float64(i)*0.01))
	}
	if n := len(worst.m.String()); n > 125_000 || n > maxPageMapBytes {
		t.Errorf("5,000 pages of all different sizes: %d bytes", n)
	}

	for _, bad := range []string{"x", "1x2", "1x2;", ";0", "1x2;1", "1x2;0*0", "1x2;0*-1", "-1x2;0", "1x2;a", "1y2;0", "1x2;0*99999999999"} {
		if err := m.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := m.UnmarshalText(nil); err != nil || m.Known() {
		t.Errorf("empty text: %v, known %v; want an unknown map", err, m.Known())
	}
}

// TestPageMapRefusesABadRunIndexWithACount proves that a run whose size
// index is not a number is refused even when the run carries a count
// ("a*2", "*3"): the index's parse error is not lost once the count
// parses, so a damaged stored or worker-sent map is refused (and the
// lenient bounds used) instead of being misread as size 0.
func TestPageMapRefusesABadRunIndexWithACount(t *testing.T) {
	for _, bad := range []string{"1x2;a*2", "1x2;0,*3", "1x2;-*2", "1x2;99999999999*2"} {
		var m PageMap
		if err := m.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted as %d pages (%q); want errPageMap", bad, m.Pages(), m.String())
		}
	}
}

// TestPageRotationRule proves the one rule for /Rotate that inspection,
// the export and the watermark share (pdf.js's): quarter turns modulo
// 360, negative ones counter-clockwise, and anything that is not a
// multiple of 90 unrotated.
func TestPageRotationRule(t *testing.T) {
	for _, tc := range []struct {
		raw  float64
		want int
	}{
		{0, 0}, {90, 90}, {180, 180}, {270, 270}, {360, 0}, {450, 90}, {-90, 270}, {-270, 90}, {-360, 0},
		{90.0, 90}, {135, 0}, {45, 0}, {-45, 0}, {90.5, 0}, {math.NaN(), 0}, {math.Inf(1), 0},
	} {
		if got := pageRotation(tc.raw); got != tc.want {
			t.Errorf("pageRotation(%g) = %d, want %d", tc.raw, got, tc.want)
		}
	}
}

// TestRotationNotAQuarterTurn proves inspection and the export agree on a
// page whose /Rotate is not a multiple of 90: both take it unrotated, as
// pdf.js and poppler show it (the export once rounded 135 down to 90).
// A real-number quarter turn (90.0) turns the page in both, as in pdf.js.
func TestRotationNotAQuarterTurn(t *testing.T) {
	for _, tc := range []struct {
		rotate string
		turned bool
	}{{"135", false}, {"-45", false}, {"/Ninety", false}, {"90.0", true}, {"450", true}} {
		data := docSpec{pages: 1, pageExtra: "/CropBox [0 0 400 600] /Rotate " + tc.rotate}.build()
		info, err := inspectData(t, data)
		if err != nil {
			t.Fatalf("/Rotate %s: %v (%s)", tc.rotate, err, detailOf(err))
		}
		w, h, _ := info.PageMap.Size(1)
		want := [2]float64{400, 600}
		wantRot := 0
		if tc.turned {
			want, wantRot = [2]float64{600, 400}, 90
		}
		if [2]float64{w, h} != want {
			t.Errorf("/Rotate %s: inspected %g × %g, want %g × %g", tc.rotate, w, h, want[0], want[1])
		}
		doc, _, err := openDocument(t.Context(), data)
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := pageLeaves(doc.XRefTable)
		if err != nil {
			t.Fatal(err)
		}
		if leaves[0].rotate != wantRot {
			t.Errorf("/Rotate %s: the export turns the page by %d, want %d", tc.rotate, leaves[0].rotate, wantRot)
		}
	}
}
