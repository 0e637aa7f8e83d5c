package pdf

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

func TestSniff(t *testing.T) {
	junk := bytes.Repeat([]byte{' '}, 1000)
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte("%PDF-1.7\n"), true},
		{append(append([]byte{}, junk...), "%PDF-1.4"...), true}, // leading junk is allowed
		{append(bytes.Repeat([]byte{' '}, 1020), "%PDF-1.4"...), false},
		{[]byte("%!PS-Adobe-3.0"), false},
		{[]byte("PK\x03\x04"), false},
		{nil, false},
	} {
		if got := Sniff(tc.head); got != tc.want {
			t.Errorf("Sniff(%.20q...) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

func inspectData(t *testing.T, data []byte) (Info, error) {
	t.Helper()
	return Inspect(writeTemp(t, "doc.pdf", data))
}

func TestInspectFeatures(t *testing.T) {
	embedded := docSpec{pages: 1,
		catalogExtra: "/Names << /EmbeddedFiles << /Names [(a.txt) 4 0 R] >> >>",
		extra: []string{
			"<< /Type /Filespec /F (a.txt) /EF << /F 5 0 R >> >>",
			"<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream",
		}}
	for _, tc := range []struct {
		name string
		spec docSpec
		want Info // only the feature flags are compared
	}{
		{"plain", docSpec{pages: 1}, Info{}},
		{"open action", docSpec{pages: 1, catalogExtra: "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"}, Info{JavaScript: true}},
		{"names tree", docSpec{pages: 1, catalogExtra: "/Names << /JavaScript << /Names [(x) 4 0 R] >> >>",
			extra: []string{"<< /S /JavaScript /JS (1) >>"}}, Info{JavaScript: true}},
		{"escaped names", docSpec{pages: 1, catalogExtra: "/OpenAction << /S /J#61vaScript /J#53 (1) >>"}, Info{JavaScript: true}},
		{"page launch", docSpec{pages: 2, pageExtra: "/AA << /O << /S /Launch /F (calc.exe) >> >>"}, Info{LaunchActions: true}},
		{"chained launch", docSpec{pages: 1, catalogExtra: "/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>",
			extra: []string{"<< /S /Launch /F (x.exe) >>"}}, Info{LaunchActions: true}},
		{"embedded file", embedded, Info{EmbeddedFiles: true}},
		{"unreachable script", docSpec{pages: 1, extra: []string{"<< /S /JavaScript /JS (1) >>"}}, Info{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := inspectData(t, tc.spec.build())
			if err != nil {
				t.Fatalf("%v (%s)", err, detailOf(err))
			}
			if info.JavaScript != tc.want.JavaScript || info.LaunchActions != tc.want.LaunchActions || info.EmbeddedFiles != tc.want.EmbeddedFiles {
				t.Errorf("got js=%v launch=%v embedded=%v, want %+v", info.JavaScript, info.LaunchActions, info.EmbeddedFiles, tc.want)
			}
		})
	}
}

// TestInspectCorpusFeatures checks detection on real files.
func TestInspectCorpusFeatures(t *testing.T) {
	dir := corpusDir(t)
	for file, check := range map[string]func(Info) bool{
		"annotation-fileattachment.pdf": func(i Info) bool { return i.EmbeddedFiles && !i.JavaScript },
		"attachment.pdf":                func(i Info) bool { return i.EmbeddedFiles },
		"js-buttons.pdf":                func(i Info) bool { return i.JavaScript && !i.EmbeddedFiles },
		"issue15053.pdf":                func(i Info) bool { return i.JavaScript && i.Title == "pdfjs_form_demo" && i.Author == "Owner" },
		"doc_3_3_pages.pdf":             func(i Info) bool { return !i.JavaScript && !i.LaunchActions && !i.EmbeddedFiles },
	} {
		info, err := Inspect(filepath.Join(dir, file))
		if err != nil || !check(info) {
			t.Errorf("%s: %+v, %v", file, info, err)
		}
	}
}

func TestInspectPageSizes(t *testing.T) {
	data := buildPDF("",
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R 6 0 R] /Count 4 /MediaBox [0 0 595.28 841.89] >>",
		"<< /Type /Page /Parent 2 0 R >>",                                  // inherited A4
		"<< /Type /Page /Parent 2 0 R /Rotate 90 >>",                       // A4 landscape
		"<< /Type /Page /Parent 2 0 R /CropBox [10 10 110 60] >>",          // cropped
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] /Rotate -270 >>", // own box empty: US Letter, as pdf.js shows it
	)
	info, err := inspectData(t, data)
	if err != nil {
		t.Fatalf("%v (%s)", err, detailOf(err))
	}
	want := []PageSize{{100, 50, 1}, {595.28, 841.89, 1}, {792, 612, 1}, {841.89, 595.28, 1}}
	if len(info.PageSizes) != len(want) {
		t.Fatalf("got %+v, want %+v", info.PageSizes, want)
	}
	for i := range want {
		if info.PageSizes[i] != want[i] {
			t.Errorf("size %d: got %+v, want %+v", i, info.PageSizes[i], want[i])
		}
	}
}

// TestInspectPageTreeChecks: page counts are reported only when the
// tree and /Count agree.
func TestInspectPageTreeChecks(t *testing.T) {
	for name, pages := range map[string]string{
		"count lies": "<< /Type /Pages /Kids [3 0 R] /Count 5 >>",
		"cycle":      "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
		"no pages":   "<< /Type /Pages /Kids [] /Count 0 >>",
		"bad kid":    "<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 2 >>",
	} {
		data := buildPDF("", "<< /Type /Catalog /Pages 2 0 R >>", pages, "<< /Type /Page /Parent 2 0 R >>")
		_, err := inspectData(t, data)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if k := KindOf(err); k != KindUnreadable {
			t.Errorf("%s: kind %s", name, k)
		}
	}
}

// TestInspectRescan: damaged offsets. pdfcpu's own repairs handle
// converted line endings and shifted headers; a missing "endobj" needs
// the rescan strategy, which is checked on its own for all three.
func TestInspectRescan(t *testing.T) {
	// The stream's text looks like an object header: the scan must skip
	// stream bodies rather than register "2 0 obj" from inside one.
	good := docSpec{pages: 3, extra: []string{"<< /Length 22 >>\nstream\n2 0 obj\n<< /Count 9 >>\nendstream"}}.build()
	crlf := bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")) // line endings converted in transit
	shifted := append([]byte("%PDF-1.7\n% prepended junk line\n"), good...)
	noEndobj := bytes.Replace(good, []byte("endobj\n2 0 obj"), []byte("2 0 obj"), 1)
	for name, data := range map[string][]byte{"crlf": crlf, "shifted": shifted, "no endobj": noEndobj} {
		info, err := inspectData(t, data)
		if err != nil || info.Pages != 3 {
			t.Errorf("%s: %+v, %v (%s)", name, info, err, detailOf(err))
		}
		_, info, err = bytesSource(data).attempt(context.Background(), strategy{name: "rescan", rescan: true})
		if err != nil || info.Pages != 3 {
			t.Errorf("%s, rescan alone: %+v, %v (%s)", name, info, err, detailOf(err))
		}
	}
}

// TestInspectHugeObjectNumber: an incremental update adds an object
// numbered beyond the PDF limit.
func TestInspectHugeObjectNumber(t *testing.T) {
	data := docSpec{pages: 1}.build()
	prev := bytes.LastIndex(data, []byte("\nxref\n")) + 1
	obj := len(data)
	data = append(data, "9999999 0 obj\n<< >>\nendobj\n"...)
	xref := len(data)
	data = fmt.Appendf(data, "xref\n9999999 1\n%010d 00000 n\r\ntrailer\n<< /Size 10000000 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", obj, prev, xref)
	_, err := inspectData(t, data)
	e := wantKind(t, err, KindUnreadable)
	if e.Reason != reasonObjectLimit {
		t.Errorf("reason %q (%s)", e.Reason, e.Detail)
	}
}

// TestRunnerEncrypted covers both kinds of encrypted files: with a user
// password (refused) and with only an owner password (readable, flagged).
func TestRunnerEncrypted(t *testing.T) {
	plain := writeTemp(t, "plain.pdf", docSpec{pages: 2, trailerExtra: "/Info 5 0 R",
		extra: []string{"<< /Title (Secret agenda) >>"}}.build())
	dir := filepath.Dir(plain)
	encrypt := func(name, userPW string) string {
		out := filepath.Join(dir, name)
		conf := pdfcpuConfiguration()
		conf.UserPW, conf.OwnerPW = userPW, "owner-secret"
		if err := api.EncryptFile(plain, out, conf); err != nil {
			t.Fatalf("encrypt: %v", err)
		}
		return out
	}
	r := testRunner(t)

	_, err := r.Inspect(context.Background(), encrypt("user.pdf", "user-secret"))
	e := wantKind(t, err, KindEncrypted)
	if !strings.Contains(e.Reason, "password") {
		t.Errorf("reason %q should mention the password", e.Reason)
	}

	info, err := r.Inspect(context.Background(), encrypt("owner.pdf", ""))
	if err != nil {
		t.Fatalf("owner-only encryption: %v (%s)", err, detailOf(err))
	}
	if !info.Encrypted || info.Pages != 2 || info.Title != "Secret agenda" {
		t.Errorf("owner-only encryption: %+v", info)
	}
}

func TestCleanText(t *testing.T) {
	long := strings.Repeat("ạ", 600)
	for in, want := range map[string]string{
		"  Biên bản\x00họp \n": "Biên bản họp",
		"\xff\xfebad":          "\uFFFDbad",
		long:                   strings.Repeat("ạ", maxTextLen),
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%.20q) = %.20q, want %.20q", in, got, want)
		}
	}
}

func TestInspectMissingFileIsInternal(t *testing.T) {
	_, err := Inspect(filepath.Join(t.TempDir(), "gone.pdf"))
	wantKind(t, err, KindInternal)
}

func TestHasTrailer(t *testing.T) {
	for in, want := range map[string]bool{
		"<< /Root 1 0 R >>":                   false,
		"trailer\n<< /Root 1 0 R >>":          true,
		"<</Type/XRef/W[1 2 1]>>":             true,
		"<< /Type \r\n /XRef /Size 3 >>":      true,
		"<< /Type /XRefStm >> << /Type /X >>": false,
	} {
		if got := hasTrailer([]byte(in)); got != want {
			t.Errorf("hasTrailer(%q) = %v, want %v", in, got, want)
		}
	}
}
