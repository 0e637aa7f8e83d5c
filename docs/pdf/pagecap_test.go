package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/testpdf"
)

// twoLevelPDF is a document of n pages, each its own page object, under
// intermediate nodes of at most 100 pages; the root says count pages.
func twoLevelPDF(n, count int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var rootKids bytes.Buffer
	for first := 0; first < n; first += 100 {
		node := len(objs) + 1
		fmt.Fprintf(&rootKids, "%d 0 R ", node)
		objs = append(objs, "")
		var kids bytes.Buffer
		m := min(100, n-first)
		for range m {
			fmt.Fprintf(&kids, "%d 0 R ", len(objs)+1)
			objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>", node))
		}
		objs[node-1] = fmt.Sprintf("<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>", kids.String(), m)
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", rootKids.String(), count)
	return buildPDF("", objs...)
}

// TestPageCap: a document of MaxPages pages is accepted; one more page is
// refused as too complex (422 too_complex upstream) with a reason that
// says why, whether its pages are distinct objects or one object listed
// again and again, and whatever its /Count claims.
func TestPageCap(t *testing.T) {
	if !strings.Contains(reasonTooManyPages, fmt.Sprintf("%d,%03d", MaxPages/1000, MaxPages%1000)) {
		t.Fatalf("the reason %q does not name MaxPages (%d)", reasonTooManyPages, MaxPages)
	}
	info, err := inspectData(t, sharedLeafPDF(MaxPages))
	if err != nil || info.Pages != MaxPages {
		t.Fatalf("%d pages: %+v, %v (%s)", MaxPages, info.Pages, err, detailOf(err))
	}
	for name, data := range map[string][]byte{
		"one page object listed MaxPages+1 times": sharedLeafPDF(MaxPages + 1),
		"MaxPages+1 page objects":                 twoLevelPDF(MaxPages+1, MaxPages+1),
		"MaxPages+1 page objects, /Count says 5":  twoLevelPDF(MaxPages+1, 5),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := inspectData(t, data)
			if e := wantKind(t, err, KindTooComplex); e.Reason != reasonTooManyPages {
				t.Errorf("reason %q, want %q", e.Reason, reasonTooManyPages)
			}
		})
	}
}

// TestPageCapRefusedCheaply: the two million pages of a 12 MB file are
// refused while inspection walks the tree, before pdfcpu validates them:
// well within a worker's limits, and without trying a more lenient
// reading after.
func TestPageCapRefusedCheaply(t *testing.T) {
	if testing.Short() {
		t.Skip("two million pages: a few seconds")
	}
	r := testRunner(t) // production defaults: 30 s, 1 GiB
	in := writeTemp(t, "shared.pdf", sharedLeafPDF(2_000_000))
	start := time.Now()
	_, err := r.Inspect(context.Background(), in)
	t.Logf("refused in %v, worker peak %d MB", time.Since(start).Round(time.Millisecond), r.PeakRSS()>>20)
	if e := wantKind(t, err, KindTooComplex); e.Reason != reasonTooManyPages {
		t.Errorf("reason %q (%s), want %q", e.Reason, e.Detail, reasonTooManyPages)
	}
}

// TestPageCapWithinWorkerLimits is the measure behind MaxPages: what a
// worker with the production limits (30 s, 1 GiB) needs to inspect, stamp
// (a confidential reader's copy) and annotate the largest document
// accepted, as distinct text pages, distinct scanned pages (a small
// image each) and one page object listed MaxPages times. Every step must
// pass with room to spare: under half the time and half the memory.
func TestPageCapWithinWorkerLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("three documents of MaxPages pages: about a minute")
	}
	scanned := filepath.Join(t.TempDir(), "scanned.pdf")
	f, err := os.Create(scanned)
	if err != nil {
		t.Fatal(err)
	}
	if err := testpdf.Write(f, MaxPages, 4_000, "cap"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for name, in := range map[string]string{
		"text pages":         writeTemp(t, "text.pdf", testpdf.Pages(MaxPages, "cap")),
		"scanned pages":      scanned,
		"one shared page":    writeTemp(t, "shared.pdf", sharedLeafPDF(MaxPages)),
		"two-level, 100 per": writeTemp(t, "tree.pdf", twoLevelPDF(MaxPages, MaxPages)),
	} {
		t.Run(name, func(t *testing.T) {
			st, _ := os.Stat(in)
			ctx := context.Background()
			for _, step := range []struct {
				name string
				run  func(r *Runner) error
			}{
				{"inspect", func(r *Runner) error {
					info, err := r.Inspect(ctx, in)
					if err == nil && info.Pages != MaxPages {
						err = fmt.Errorf("%d pages", info.Pages)
					}
					return err
				}},
				{"watermark", func(r *Runner) error {
					return r.Watermark(ctx, in, filepath.Join(t.TempDir(), "copy.pdf"), testLines, "ABCDEFGH12")
				}},
				{"annotate", func(r *Runner) error {
					marks := []Mark{{Page: 1, Kind: MarkNote, At: Point{X: 50, Y: 50}, Text: "đầu"},
						{Page: MaxPages, Kind: MarkInk, Colour: "#ff0000", Width: 2, Strokes: [][]Point{{{10, 10, 0}, {90, 90, 0}}}}}
					return r.Annotate(ctx, in, filepath.Join(t.TempDir(), "annotated.pdf"), marks)
				}},
			} {
				r := testRunner(t) // a fresh Runner: its peak is this step's alone
				start := time.Now()
				err := step.run(r)
				took, peak := time.Since(start), r.PeakRSS()
				t.Logf("%s (%d MB): %s %v, worker peak %d MB", name, st.Size()>>20, step.name, took.Round(time.Millisecond), peak>>20)
				if err != nil {
					t.Fatalf("%s: %v (%s)", step.name, err, detailOf(err))
				}
				// The race detector multiplies a worker's memory several times
				// (533-757 MB here with -race, at most 264 MB without): its
				// peak says nothing about production then, so only time counts.
				if took > DefaultTimeout/2 || (!raceEnabled && peak > DefaultMemLimit/2) {
					t.Errorf("%s: %v and %d MB: too close to a worker's limits (%v, %d MB)", step.name, took, peak>>20, DefaultTimeout, DefaultMemLimit>>20)
				}
			}
		})
	}
}
