package pdf

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// vietnameseLetters are more than 100 distinct glyphs: past pdfcpu's
// broken ToUnicode sections (see fixToUnicode).
const vietnameseLetters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ " +
	"AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"

// testSpec is a short Vietnamese document whose second section is long
// enough to flow onto a second page.
func testSpec() Spec {
	long := make([]string, 40)
	for i := range long {
		long[i] = fmt.Sprintf("Đoạn %d: Hội đồng nhân dân tỉnh quyết nghị thông qua kế hoạch phát triển kinh tế – xã hội năm 2026, bảo đảm quốc phòng, an ninh.", i+1)
	}
	return Spec{Title: "Dự thảo Nghị quyết về kế hoạch năm 2026", Subtitle: "HỘI ĐỒNG NHÂN DÂN TỈNH", Mark: "MẬT",
		Sections: []Section{
			{Heading: "Điều 1. Mục tiêu", Paragraphs: []string{"Tốc độ tăng trưởng kinh tế (GRDP) đạt 8,5%; thu nhập bình quân đầu người đạt 95 triệu đồng.", vietnameseLetters}},
			{Heading: "Điều 2. Nhiệm vụ và giải pháp", Paragraphs: long},
		}}
}

func TestCreate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nq.pdf")
	pages, err := Create(out, testSpec())
	if err != nil {
		t.Fatalf("Create: %v (%s)", err, detailOf(err))
	}
	info, err := Inspect(out)
	if err != nil || info.Pages != pages || pages < 3 {
		t.Fatalf("created %d pages; inspected %+v, %v", pages, info, err)
	}
	if info.Title != "Dự thảo Nghị quyết về kế hoạch năm 2026" || len(info.PageSizes) != 1 || info.PageSizes[0].W != 595.28 {
		t.Errorf("info %+v", info)
	}
	if _, err := installUnicodeFont(t.TempDir(), unicodeFontFiles()); err != nil {
		t.Skip("no Unicode font installed: text is folded to ASCII")
	}
	if !embedsTrueType(t, out) {
		t.Error("the Vietnamese text does not embed its font")
	}
	text := pageText(t, out, 1)
	if flat := strings.Join(strings.Fields(text), ""); !strings.Contains(flat, strings.ReplaceAll(vietnameseLetters, " ", "")) {
		t.Errorf("copied text loses letters: %s", flat)
	}
	for _, want := range []string{"HỘI ĐỒNG NHÂN DÂN TỈNH", "Dự thảo Nghị quyết về kế hoạch năm 2026", "Điều 1. Mục tiêu", "thu nhập bình quân đầu người", "MẬT", fmt.Sprintf("Trang 1/%d", pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, text)
		}
	}
	if last := pageText(t, out, pages); !strings.Contains(last, "Đoạn 40:") || !strings.Contains(last, fmt.Sprintf("Trang %d/%d", pages, pages)) {
		t.Errorf("the long section does not end on the last page:\n%s", last)
	}
}

func TestWrap(t *testing.T) {
	f := &typeface{name: fallbackFont, core: true}
	lines := f.wrap("một hai ba\n\nsupercalifragilistic", 10, 40)
	if len(lines) < 4 || lines[0] == "" || lines[len(lines)-1] == "" || !slices.Contains(lines, "") {
		t.Fatalf("wrap: %q", lines)
	}
	for _, l := range lines {
		if f.width(l, 10) > 40 {
			t.Errorf("line %q is wider than the column", l)
		}
	}
}

func TestRunnerCreate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.pdf")
	r := testRunner(t)
	if err := r.Create(context.Background(), out, testSpec()); err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	if info, err := r.Inspect(context.Background(), out); err != nil || info.Pages < 3 {
		t.Fatalf("%+v %v", info, err)
	}
}

// pageText extracts one page's text with poppler's pdftotext, skipping
// the test when it is not installed.
func pageText(t *testing.T, path string, page int) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	p := fmt.Sprint(page)
	out, err := exec.Command(bin, "-f", p, "-l", p, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
