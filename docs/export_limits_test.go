package docs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/testpdf"
)

// SetExportMarksLimit bounds the bytes of marks an export draws below a
// worker's bound for the rest of the test (0: a worker's bound), so that
// tests of docs_test can reach the refusal with a few annotations.
func SetExportMarksLimit(t testing.TB, n int64) {
	old := exportMarksLimit.Swap(n)
	t.Cleanup(func() { exportMarksLimit.Store(old) })
}

// workerMarksFile is the size of the marks file a worker reads at most
// (pdf's maxMarksFile).
const workerMarksFile = 64 << 20

// overWorkerLimit is one note whose marks file is more than a worker
// reads: each "<" is six bytes of JSON ("\u003c"), so the text itself is
// held in a sixth of that.
func overWorkerLimit() pdf.Mark {
	return pdf.Mark{Page: 1, Kind: pdf.MarkNote, Colour: "#ffd54f", At: pdf.Point{X: 10, Y: 10},
		Text: strings.Repeat("<", workerMarksFile/6+1)}
}

// sampleMarks has every kind, with pressure, escapes and non-ASCII text.
func sampleMarks() []pdf.Mark {
	return []pdf.Mark{
		{Page: 1, Kind: pdf.MarkInk, Colour: "#D32F2F", Width: 2,
			Strokes: [][]pdf.Point{{{X: 100.37, Y: 100.53, P: 0.55}, {X: 1e-7, Y: 14400, P: 0}}, {{X: 3, Y: 4}}}},
		{Page: 2, Kind: pdf.MarkHighlight, Colour: "#ffeb3b", Opacity: 0.35, Rects: []pdf.Rect{{X: 1, Y: 2, W: 3.25, H: 4}}},
		{Page: 2, Kind: pdf.MarkNote, Colour: "#ffd54f", At: pdf.Point{X: 50, Y: 60}, Text: "Ghi chú <b>&\"\u2028\u202e"},
	}
}

// MarkBudget counts exactly the file a worker reads (the JSON of the
// slice, as json.Encoder writes it), refuses the first mark that would
// take it over its limit with KindTooComplex and the export's reason,
// and is bounded by a worker's limit whatever its Limit.
func TestExportMarkBudgetCountsTheWorkersFile(t *testing.T) {
	var empty pdf.MarkBudget
	if empty.Used() != int64(len("[]\n")) {
		t.Errorf("an empty budget counts %d bytes, want 3", empty.Used())
	}
	marks := sampleMarks()
	var file bytes.Buffer
	if err := json.NewEncoder(&file).Encode(marks); err != nil {
		t.Fatal(err)
	}
	var b pdf.MarkBudget
	for _, m := range marks {
		if err := b.Add(m); err != nil {
			t.Fatalf("add %s: %v", m.Kind, err)
		}
	}
	if b.Used() != int64(file.Len()) {
		t.Fatalf("the budget counts %d bytes, the marks file is %d", b.Used(), file.Len())
	}

	exact := pdf.MarkBudget{Limit: int64(file.Len())}
	short := pdf.MarkBudget{Limit: int64(file.Len()) - 1}
	for i, m := range marks {
		if err := exact.Add(m); err != nil {
			t.Fatalf("a limit of exactly the file's size refuses mark %d: %v", i, err)
		}
		err := short.Add(m)
		if i < len(marks)-1 && err != nil {
			t.Fatalf("a limit one byte short refuses mark %d already: %v", i, err)
		}
		if i == len(marks)-1 {
			wantTooMany(t, err)
			if short.Used() >= int64(file.Len()) {
				t.Errorf("a refused mark was counted: %d bytes", short.Used())
			}
		}
	}

	huge := pdf.MarkBudget{Limit: 1 << 40} // no more than a worker reads, still
	wantTooMany(t, huge.Add(overWorkerLimit()))
}

func wantTooMany(t *testing.T, err error) {
	t.Helper()
	var pe *pdf.Error
	if !errors.As(err, &pe) || pe.Kind != pdf.KindTooComplex || pe.Reason != "too many annotations to draw into one copy" {
		t.Fatalf("got %v (%T), want a too_complex refusal: too many annotations to draw into one copy", err, err)
	}
}

// Defence in depth: Runner.Annotate given more marks than a worker reads
// refuses them as too_complex without asking a worker (here one that
// cannot start), and leaves neither the marks file nor an output.
func TestExportRunnerRefusesTooManyMarks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, testpdf.Pages(1, "marks"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pdf")
	r := &pdf.Runner{Command: []string{"/bin/false"}}
	t.Cleanup(r.Close)
	wantTooMany(t, r.Annotate(context.Background(), in, out, []pdf.Mark{overWorkerLimit()}))
	left, _ := filepath.Glob(filepath.Join(dir, "out*"))
	if len(left) != 0 {
		t.Errorf("the refused marks left files: %v", left)
	}
}

// Defence in depth: a worker given a marks file larger than it reads
// answers too_complex (an export's 422), not internal (a 500); a damaged
// one within the limit stays a failure of ours.
func TestExportWorkerRefusesTooLargeMarksFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, testpdf.Pages(1, "marks"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.marks.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("[" + strings.Repeat(" ", 1000)); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(workerMarksFile + 1); err != nil { // sparse: no 64 MiB written
		t.Fatal(err)
	}
	f.Close()
	damaged := filepath.Join(dir, "damaged.marks.json")
	if err := os.WriteFile(damaged, []byte(`[{"page":1,"kind":"ink"`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		marks string
		want  pdf.Kind
	}{{big, pdf.KindTooComplex}, {damaged, pdf.KindInternal}} {
		args, _ := json.Marshal(map[string]string{"out": filepath.Join(dir, "out.pdf"), "marks": tc.marks})
		line, _ := json.Marshal(map[string]any{"id": 1, "op": "annotate", "path": in, "args": json.RawMessage(args)})
		var stdout bytes.Buffer
		if err := pdf.ServeWorker(context.Background(), bytes.NewReader(append(line, '\n')), &stdout); err != nil {
			t.Fatal(err)
		}
		var res struct {
			Error *struct{ Kind, Reason string }
		}
		sc := bufio.NewScanner(&stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "curia-pdf-response "); ok {
				if err := json.Unmarshal([]byte(rest), &res); err != nil {
					t.Fatal(err)
				}
			}
		}
		if res.Error == nil || pdf.Kind(res.Error.Kind) != tc.want {
			t.Errorf("worker reading %s: %+v, want kind %s", filepath.Base(tc.marks), res.Error, tc.want)
		}
	}
}
