package docs

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// served asks http.ServeContent itself what it sends for these headers
// from a file of size bytes: the status, and whether byte 0 is in it.
func served(t *testing.T, h http.Header, f *File, size int) (int, bool) {
	t.Helper()
	req := httptest.NewRequest("GET", "/f", nil)
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	rec.Header().Set("ETag", f.ETag)
	http.ServeContent(rec, req, "", f.ModTime, bytes.NewReader(bytes.Repeat([]byte{'x'}, size)))
	res := rec.Result()
	switch res.StatusCode {
	case http.StatusOK:
		return res.StatusCode, true
	case http.StatusPartialContent:
	default:
		return res.StatusCode, false
	}
	mt, params, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if mt != "multipart/byteranges" {
		return res.StatusCode, strings.HasPrefix(res.Header.Get("Content-Range"), "bytes 0-")
	}
	mr := multipart.NewReader(res.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return res.StatusCode, false
		}
		if err != nil {
			t.Fatalf("multipart answer: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Range"), "bytes 0-") {
			return res.StatusCode, true
		}
	}
}

// An opening (audited) is any request for which ServeContent sends byte
// 0, however the Range is spelled; a Range it refuses as malformed counts
// too. Only requests every range of which starts after byte 0 (pdf.js's
// further chunks) and ranges wholly beyond the end are not openings.
func TestStartsReadingAgreesWithServeContent(t *testing.T) {
	const size = 1000
	mod := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	f := &File{ETag: `"abc123"`, ModTime: mod}
	cases := []struct {
		rng, ifRange string
		opens        bool
	}{
		{"", "", true},
		{"bytes=0-", "", true},
		{"bytes=0-1023", "", true},
		{"bytes=00-", "", true},
		{"bytes=+0-", "", true},
		{"bytes= 0 - 10", "", true},
		{"bytes=-100000000", "", true},
		{"bytes=-1000", "", true},
		{"bytes=-999", "", false},
		{"bytes=-0", "", false},
		{"bytes=10-19", "", false},
		{"bytes=10-", "", false},
		{"bytes=500-, 100-199", "", false},
		{"bytes=100-199,0-0", "", true},
		{"bytes=1-,1-", "", true},          // more than the file: the whole file
		{"bytes=1-500,501-999", "", false}, // exactly the rest of the file
		{"bytes=999999-", "", false},       // 416: nothing sent
		{"bytes=5000-,6000-", "", false},
		{"bytes=", "", true},      // no range: the whole file
		{"bytes=,", "", true},     // likewise
		{"bytes=10", "", true},    // malformed: 416, counted
		{"bytes=20-10", "", true}, // malformed
		{"bytes=x-", "", true},
		{"bytes=--5", "", true},
		{"Bytes=10-", "", true},
		{"items=10-", "", true},
		{"bytes=10-19", `"abc123"`, false},
		{"bytes=10-19", ` "abc123" `, false},
		{"bytes=10-19", `"other"`, true},    // If-Range voids the Range
		{"bytes=10-19", `W/"abc123"`, true}, // weak: never matches
		{"bytes=10-19", `"abc123`, true},
		{"bytes=10-19", mod.Format(http.TimeFormat), false},
		{"bytes=10-19", mod.Add(time.Hour).Format(http.TimeFormat), true},
		{"bytes=10-19", "yesterday", true},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.rng != "" {
			h.Set("Range", tc.rng)
		}
		if tc.ifRange != "" {
			h.Set("If-Range", tc.ifRange)
		}
		if got := startsReading(h, f, size); got != tc.opens {
			t.Errorf("Range %q If-Range %q: opening %v, want %v", tc.rng, tc.ifRange, got, tc.opens)
		}
		status, first := served(t, h, f, size)
		if first && !tc.opens {
			t.Errorf("Range %q If-Range %q: the table is wrong, ServeContent sends byte 0 (%d)", tc.rng, tc.ifRange, status)
		}
		if status == http.StatusPartialContent && !first && tc.opens {
			t.Errorf("Range %q If-Range %q: the table is wrong, ServeContent sends a part without byte 0", tc.rng, tc.ifRange)
		}
	}

	// Ranges put together at random: no answer that carries byte 0 may
	// pass for a continued reading, and no partial answer without it may
	// count as an opening (pdf.js's chunks must stay cheap).
	rnd := rand.New(rand.NewPCG(7, 7))
	parts := []string{"0-", "00-9", "1-", "-1000", "-5000", "-1", "10-19", "999-", "1000-", "5-4", "7", "", " 3-8 ", "+2-3", "-0", "500-999", "1-499"}
	for range 3000 {
		specs := make([]string, 1+rnd.IntN(4))
		for i := range specs {
			specs[i] = parts[rnd.IntN(len(parts))]
		}
		h := http.Header{"Range": {"bytes=" + strings.Join(specs, ",")}}
		opens := startsReading(h, f, size)
		status, first := served(t, h, f, size)
		if first && !opens {
			t.Fatalf("%s: ServeContent sends byte 0 (%d), not counted as an opening", h.Get("Range"), status)
		}
		if status == http.StatusPartialContent && !first && opens {
			t.Fatalf("%s: a partial answer without byte 0 counted as an opening", h.Get("Range"))
		}
	}
}

// The download name of a title holding characters no header may carry
// (DEL, other controls, bidi overrides) still gives a header that Go's
// HTTP client accepts, with a plain ASCII fallback and the UTF-8 name.
func TestContentDispositionIsAlwaysValid(t *testing.T) {
	cases := map[string]struct{ ascii, utf8 string }{
		"Tờ trình.pdf":                  {"T_ tr_nh.pdf", "Tờ trình.pdf"},
		"Tờ\x7ftrình.pdf":               {"T_tr_nh.pdf", "Tờtrình.pdf"},
		"a\x00b\tc\r\nd\x1b\u0085e.pdf": {"abcde.pdf", "abcde.pdf"},
		"x\u202egpj.pdf":                {"xgpj.pdf", "xgpj.pdf"},
		`a "b"; c=d/e\f 100%.pdf`:       {"a _b__ c=d_e_f 100_.pdf", `a "b"; c=d_e_f 100%.pdf`},
		"bad \xff utf8.pdf":             {"bad _ utf8.pdf", "bad _ utf8.pdf"},
	}
	for name, want := range cases {
		cd := contentDisposition(name)
		for i := 0; i < len(cd); i++ {
			if c := cd[i]; c < 0x20 || c >= 0x7f {
				t.Errorf("%q: the header holds byte %#x: %q", name, c, cd)
			}
		}
		typ, params, err := mime.ParseMediaType(cd)
		if err != nil || typ != "inline" {
			t.Errorf("%q: %q does not parse: %v", name, cd, err)
			continue
		}
		// mime decodes filename* and drops the plain filename when it
		// is there, so read the fallback from the header itself.
		if params["filename"] != want.utf8 {
			t.Errorf("%q: UTF-8 name %q, want %q (%s)", name, params["filename"], want.utf8, cd)
		}
		if !strings.Contains(cd, fmt.Sprintf(`filename="%s";`, want.ascii)) {
			t.Errorf("%q: %q lacks the fallback %q", name, cd, want.ascii)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Disposition", cd)
		}))
		res, err := srv.Client().Get(srv.URL)
		srv.Close()
		if err != nil {
			t.Errorf("%q: Go's client refuses the answer: %v", name, err)
			continue
		}
		res.Body.Close()
	}
}
