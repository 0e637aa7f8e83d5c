package pdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The copy's prefixes: a stamped copy must not carry an unstamped
// document inside it. Cutting it where a revision of a PDF ends (after a
// %%EOF or a startxref and its offset, as `head -c` would) must give
// something no reader shows pages from, unless every page it shows
// carries the stamp.

// prefixCuts returns the lengths at which a copy of length n may be cut:
// after every "%%EOF" and every "startxref N" but the copy's own last
// ones, and at extra (the original's length).
func prefixCuts(data []byte, extra ...int) []int {
	var cuts []int
	eol := func(i int) int {
		for i < len(data) && (data[i] == '\r' || data[i] == '\n') {
			i++
		}
		return i
	}
	for _, tok := range []string{"%%EOF", "startxref"} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(tok))
			if j < 0 {
				break
			}
			end := i + j + len(tok)
			if tok == "startxref" { // and the offset after it
				k := end
				for k < len(data) && isPDFSpace(data[k]) {
					k++
				}
				for k < len(data) && data[k] >= '0' && data[k] <= '9' {
					k++
				}
				cuts = append(cuts, eol(k))
			}
			cuts = append(cuts, eol(end))
			i = end
		}
	}
	cuts = append(cuts, extra...)
	// The copy's own end: its last startxref, offset and %%EOF.
	last := bytes.LastIndex(data, []byte("startxref"))
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	return slices.DeleteFunc(cuts, func(c int) bool { return c <= 0 || c >= len(data) || (last >= 0 && c > last) })
}

var pdfinfoPages = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// prefixPages returns how many pages each installed reader finds in the
// PDF at path (0 when it refuses the file).
func prefixPages(t *testing.T, path string) map[string]int {
	t.Helper()
	got := map[string]int{}
	if info, err := Inspect(path); err == nil {
		got["pdfcpu"] = info.Pages
	}
	if bin, err := exec.LookPath("qpdf"); err == nil {
		out, err := exec.Command(bin, "--show-npages", path).Output()
		n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		if err == nil || n > 0 {
			got["qpdf"] = n
		}
	}
	if bin, err := exec.LookPath("pdfinfo"); err == nil {
		out, _ := exec.Command(bin, path).Output()
		if m := pdfinfoPages.FindSubmatch(out); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			got["pdfinfo"] = n
		}
	}
	return got
}

// checkPrefixes cuts the copy at out wherever a PDF could end before its
// own end (and at origLen, the original's length) and fails when a
// reader finds a page in such a prefix that poppler does not show with
// the stamp's copy id.
func checkPrefixes(t *testing.T, name, out string, origLen int) {
	t.Helper()
	for _, p := range unstampedPrefixes(t, out, origLen) {
		t.Errorf("%s: %s", name, p)
	}
}

// unstampedPrefixes describes the prefixes of the copy at out that show
// unstamped pages.
func unstampedPrefixes(t *testing.T, out string, origLen int) []string {
	t.Helper()
	data := mustRead(t, out)
	dir := t.TempDir()
	var bad []string
	for _, cut := range prefixCuts(data, origLen) {
		p := filepath.Join(dir, "prefix.pdf")
		if err := os.WriteFile(p, data[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		pages := prefixPages(t, p)
		most := 0
		for _, n := range pages {
			most = max(most, n)
		}
		if most == 0 {
			continue
		}
		// Some reader sees pages: they must all be stamped.
		texts := pageTexts(t, p)
		stamped := len(texts) >= most
		for _, text := range texts {
			if !strings.Contains(strings.Join(strings.Fields(text), ""), stampCopyID) {
				stamped = false
			}
		}
		if !stamped {
			bad = append(bad, fmt.Sprintf("the copy cut at %d of %d bytes reads as pages %v, not all stamped (pdftotext: %d pages)",
				cut, len(data), pages, len(texts)))
		}
	}
	return bad
}

// TestPrefixCheckFindsOriginal: a copy that carries the original in front
// of its stamp (an incremental update) is caught.
func TestPrefixCheckFindsOriginal(t *testing.T) {
	data := docSpec{pages: 2}.build()
	in := writeTemp(t, "in.pdf", data)
	out := filepath.Join(t.TempDir(), "out.pdf")
	stampInProcess(t, in, out, true)
	stamped := mustRead(t, out)
	updated := writeTemp(t, "updated.pdf", append(append(slices.Clip(data), '\n'), stamped...))
	if bad := unstampedPrefixes(t, updated, len(data)); len(bad) == 0 {
		t.Error("the original in front of the copy was not found")
	}
	if bad := unstampedPrefixes(t, out, len(data)); len(bad) != 0 {
		t.Errorf("a rewritten copy: %v", bad)
	}
}

// TestPrefixCuts checks the cut points on a made-up copy.
func TestPrefixCuts(t *testing.T) {
	data := []byte("%PDF-1.7\n1 0 obj\n<< >>\nendobj\nstartxref\n9\n%%EOF\n2 0 obj\n<< >>\nendobj\nstartxref\n40\n%%EOF\n")
	got := prefixCuts(data, 20)
	want := []int{20, 40, 42, 48}
	if !slices.Equal(got, want) {
		t.Errorf("cuts %v, want %v", got, want)
	}
}
