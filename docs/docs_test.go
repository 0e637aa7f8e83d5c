package docs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// room is a server with a cast and one meeting.
type room struct {
	s   *apptest.Server
	c   *apptest.Cast
	m   string
	rec *event.Recorder
}

func newRoom(t *testing.T, b testdb.Backend, opts ...apptest.Option) *room {
	t.Helper()
	rec := event.NewRecorder(1000)
	s := apptest.Start(t, b, append([]apptest.Option{apptest.WithPublisher(rec)}, opts...)...)
	c := s.NewCast("u")
	return &room{s: s, c: c, m: c.Meeting("Kỳ họp thứ 12"), rec: rec}
}

func (r *room) upload(c *apptest.Client, name string, pdf []byte, fields map[string]string) apptest.Response {
	return c.Upload("/api/v1/meetings/"+r.m+"/documents", name, pdf, fields)
}

func (r *room) mustUpload(t *testing.T, name string, pdf []byte, fields map[string]string) docs.Document {
	t.Helper()
	res := r.upload(r.c.Secretary, name, pdf, fields)
	if res.Status != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, res.Status, res.Body)
	}
	var d docs.Document
	res.JSON(&d)
	return d
}

// leftovers lists the files under the data directory's tmp and blobs.
func leftovers(t *testing.T, s *apptest.Server) (tmp, blobs []string) {
	t.Helper()
	walk := func(dir string) []string {
		var out []string
		_ = filepath.WalkDir(filepath.Join(s.App.Config.DataDir, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	return walk("tmp"), walk("blobs")
}

func TestUpload(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b, func(c *app.Config) { c.MaxUploadBytes = 64 << 10 })
		pdf := testpdf.Pages(3, "báo cáo")
		sum := sha256.Sum256(pdf)
		d := r.mustUpload(t, "Báo cáo tài chính.pdf", pdf, map[string]string{"title": "Báo cáo tài chính 2026"})
		if d.Pages != 3 || d.Size != int64(len(pdf)) || d.SHA256 != hex.EncodeToString(sum[:]) || d.Title != "Báo cáo tài chính 2026" || d.Version != 1 {
			t.Fatalf("document: %+v", d)
		}
		if d.Risks == nil {
			t.Error("the secretary is not shown the file's risks")
		}
		if got := apptest.EventTypes(r.rec); !contains(got, "document.added") {
			t.Errorf("events %v lack document.added", got)
		}

		refused := []struct {
			name    string
			client  *apptest.Client
			file    string
			content []byte
			fields  map[string]string
			status  int
			reason  string // error.reason, for the refusals an app translates
		}{
			{"not a PDF", r.c.Secretary, "report.pdf", []byte("<html>this is not a PDF</html>"), nil, 415, "not_pdf"},
			{"empty", r.c.Secretary, "empty.pdf", nil, nil, 400, ""},
			{"truncated", r.c.Secretary, "cut.pdf", pdf[:len(pdf)/3], nil, 422, "unreadable"},
			{"too large", r.c.Secretary, "big.pdf", append(testpdf.Pages(1, "x"), make([]byte, 70<<10)...), nil, 413, ""},
			{"delegate", r.c.Delegate, "d.pdf", testpdf.Pages(1, "delegate"), nil, 403, ""},
			{"observer", r.c.Observer, "o.pdf", testpdf.Pages(1, "observer"), nil, 403, ""},
			{"outsider", r.c.Outsider, "x.pdf", testpdf.Pages(1, "outsider"), nil, 404, ""},
			{"foreign agenda item", r.c.Secretary, "a.pdf", testpdf.Pages(1, "item"), map[string]string{"agenda_item_id": "nope"}, 422, ""},
			{"reader not a participant", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c"), map[string]string{"confidential": "true", "reader_ids": r.c.Outsider.UserID}, 422, ""},
			{"bad confidential", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c2"), map[string]string{"confidential": "maybe"}, 400, ""},
			{"unknown field", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c3"), map[string]string{"colour": "red"}, 400, ""},
			{"long title", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c4"), map[string]string{"title": strings.Repeat("Đ", 301)}, 400, ""},
			{"a field over 4 KB", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c5"), map[string]string{"agenda_item_id": strings.Repeat("x", 4097)}, 400, ""},
			// 1000 readers fit (the most an access list may have): refused
			// only because none of them takes part.
			{"1000 readers, none a participant", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c6"),
				map[string]string{"confidential": "true", "reader_ids": strings.TrimSuffix(strings.Repeat("01JABCDEFGHJKMNPQRSTVWXYZ0,", 1000), ",")}, 422, ""},
			{"reader_ids over 64 KB", r.c.Secretary, "c.pdf", testpdf.Pages(1, "c7"),
				map[string]string{"confidential": "true", "reader_ids": strings.Repeat("x", 64<<10+1)}, 400, ""},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				res := r.upload(tc.client, tc.file, tc.content, tc.fields)
				if res.Status != tc.status || res.ErrorCode() == "" {
					t.Fatalf("got %d %s, want %d with an error body", res.Status, res.Body, tc.status)
				}
				var body struct {
					Error struct{ Reason string } `json:"error"`
				}
				res.JSON(&body)
				if body.Error.Reason != tc.reason {
					t.Errorf("error reason %q, want %q: %s", body.Error.Reason, tc.reason, res.Body)
				}
			})
		}
		var list struct{ Documents []docs.Document }
		r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
		if len(list.Documents) != 1 {
			t.Fatalf("refused uploads left documents behind: %d documents", len(list.Documents))
		}
		tmp, blobs := leftovers(t, r.s)
		if len(tmp) != 0 || len(blobs) != 1 {
			t.Fatalf("refused uploads left files: tmp %v, blobs %v", tmp, blobs)
		}
		if got := apptest.EventTypes(r.rec); len(got) != 0 {
			t.Errorf("refused uploads published %v", got)
		}
	})
}

func TestUploadRefusesMalformedMultipart(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	res := r.c.Secretary.Raw("POST", "/api/v1/meetings/"+r.m+"/documents", "multipart/form-data; boundary=XYZ",
		strings.NewReader("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 cut"))
	if res.Status != 400 {
		t.Fatalf("cut-off multipart: %d %s", res.Status, res.Body)
	}
	res = r.c.Secretary.Raw("POST", "/api/v1/meetings/"+r.m+"/documents", "application/pdf", strings.NewReader("%PDF-1.4"))
	if res.Status != 415 {
		t.Fatalf("raw PDF body: %d %s", res.Status, res.Body)
	}
	res = r.c.Secretary.Upload("/api/v1/meetings/"+r.m+"/documents", "", nil, map[string]string{"title": "no file"})
	if res.Status != 400 {
		t.Fatalf("no file part: %d %s", res.Status, res.Body)
	}
	if tmp, blobs := leftovers(t, r.s); len(tmp)+len(blobs) != 0 {
		t.Fatalf("left files: %v %v", tmp, blobs)
	}
}

func TestBlobsAreSharedAndCollected(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		pdf := testpdf.Pages(2, "shared")
		a := r.mustUpload(t, "a.pdf", pdf, nil)
		b2 := r.mustUpload(t, "b.pdf", pdf, nil)
		if _, blobs := leftovers(t, r.s); len(blobs) != 1 {
			t.Fatalf("the same bytes twice: %d blobs", len(blobs))
		}
		r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+a.ID, nil)
		if _, blobs := leftovers(t, r.s); len(blobs) != 1 {
			t.Fatalf("a blob still in use was deleted")
		}
		res := r.c.Delegate.Do("GET", "/api/v1/documents/"+b2.ID+"/file", nil)
		if res.Status != 200 || string(res.Body) != string(pdf) {
			t.Fatalf("the other document lost its file: %d", res.Status)
		}
		r.c.Secretary.Must(204, "DELETE", "/api/v1/documents/"+b2.ID, nil)
		if _, blobs := leftovers(t, r.s); len(blobs) != 0 {
			t.Fatalf("an unused blob was kept: %v", blobs)
		}
		if res := r.c.Secretary.Do("GET", "/api/v1/documents/"+b2.ID, nil); res.Status != 404 {
			t.Fatalf("deleted document: %d", res.Status)
		}
	})
}

func TestVersions(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	d := r.mustUpload(t, "dự thảo.pdf", testpdf.Pages(2, "v1"), nil)
	v2 := testpdf.Pages(4, "v2")
	res := r.c.Secretary.Upload("/api/v1/documents/"+d.ID+"/versions", "v2.pdf", v2, nil)
	if res.Status != 201 {
		t.Fatalf("new version: %d %s", res.Status, res.Body)
	}
	var got docs.Document
	r.c.Delegate.Get("/api/v1/documents/"+d.ID, &got)
	if got.Version != 2 || got.Pages != 4 || len(got.Versions) != 2 || got.Risks != nil {
		t.Fatalf("after a new version, a delegate sees %+v", got)
	}
	old := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file?version=1", nil)
	cur := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file", nil)
	if old.Status != 200 || cur.Status != 200 || string(cur.Body) != string(v2) || string(old.Body) == string(cur.Body) {
		t.Fatalf("versions: old %d, current %d", old.Status, cur.Status)
	}
	if res := r.c.Delegate.Do("GET", "/api/v1/documents/"+d.ID+"/file?version=9", nil); res.Status != 404 {
		t.Fatalf("missing version: %d", res.Status)
	}
	if res := r.c.Delegate.Upload("/api/v1/documents/"+d.ID+"/versions", "v3.pdf", v2, nil); res.Status != 403 {
		t.Fatalf("delegate uploading a version: %d", res.Status)
	}
}

func TestServing(t *testing.T) {
	r := newRoom(t, testdb.Backends()[0])
	pdf := testpdf.Pages(5, "serve")
	d := r.mustUpload(t, "Tờ trình.pdf", pdf, map[string]string{"title": `Tờ trình "số 1"`})
	path := "/api/v1/documents/" + d.ID + "/file"
	full := r.c.Delegate.Do("GET", path, nil)
	h := full.Header
	if full.Status != 200 || h.Get("Content-Type") != "application/pdf" || h.Get("Accept-Ranges") != "bytes" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("full GET: %d %v", full.Status, h)
	}
	cd := h.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `inline; filename="T_ tr_nh _s_ 1_.pdf"`) || !strings.Contains(cd, "filename*=UTF-8''T%E1%BB%9D") {
		t.Errorf("Content-Disposition %q", cd)
	}
	part := r.c.Delegate.Raw("GET", path, "", nil, "Range", "bytes=10-19")
	if part.Status != 206 || string(part.Body) != string(pdf[10:20]) || part.Header.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(pdf)) {
		t.Fatalf("Range: %d %q %q", part.Status, part.Body, part.Header.Get("Content-Range"))
	}
	etag := h.Get("ETag")
	if notMod := r.c.Delegate.Raw("GET", path, "", nil, "If-None-Match", etag); etag == "" || notMod.Status != 304 {
		t.Fatalf("If-None-Match %q: %d", etag, notMod.Status)
	}
	if bad := r.c.Delegate.Raw("GET", path, "", nil, "Range", "bytes=999999-"); bad.Status != 416 {
		t.Fatalf("unsatisfiable Range: %d", bad.Status)
	}
	var entries struct {
		Entries []struct{ Action, ActorID string }
	}
	admin := r.c.Admin
	admin.Get("/api/v1/audit?action=document.opened&meeting_id="+r.m, &entries)
	if len(entries.Entries) != 2 { // the full GET and the conditional GET start a reading; the Range from 10 does not
		t.Fatalf("want 2 document.opened entries, got %+v", entries.Entries)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
