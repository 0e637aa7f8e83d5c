package docs_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Form fields of an upload are text a database must store: a NUL byte or
// bytes that are not UTF-8 are a 400 with nothing written (PostgreSQL
// refused the statement: a 500). A file name the client sends is only a
// download name: its control characters go and broken UTF-8 is mended.
func TestUploadUnstorableText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newRoom(t, b)
		pdf := testpdf.Pages(1, "bad text")
		for name, fields := range map[string]map[string]string{
			"NUL in the title":        {"title": "Dự thảo\x00"},
			"broken UTF-8 in a title": {"title": "D\xe1\xbb"},
			"NUL in an agenda item":   {"agenda_item_id": "a\x00b"},
		} {
			res := r.c.Secretary.Upload("/api/v1/meetings/"+r.m+"/documents", "a.pdf", pdf, fields)
			if res.Status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
			}
		}
		var list struct {
			Documents []docs.Document `json:"documents"`
		}
		r.c.Secretary.Get("/api/v1/meetings/"+r.m+"/documents", &list)
		if len(list.Documents) != 0 {
			t.Fatalf("refused uploads left %d documents", len(list.Documents))
		}
		if tmp, blobs := leftovers(t, r.s); len(tmp)+len(blobs) != 0 {
			t.Fatalf("refused uploads left files: %v %v", tmp, blobs)
		}

		// A raw NUL cannot stand in a part's header, but RFC 5987's
		// filename* can carry one, percent-encoded.
		body := "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''B%00%C3%A1o%07%20c%C3%A1o%FF.pdf\r\n" +
			"Content-Type: application/pdf\r\n\r\n" + string(pdf) + "\r\n--XYZ--\r\n"
		res := r.c.Secretary.Raw("POST", "/api/v1/meetings/"+r.m+"/documents", "multipart/form-data; boundary=XYZ", strings.NewReader(body))
		var d docs.Document
		if res.Status != http.StatusCreated || json.Unmarshal(res.Body, &d) != nil {
			t.Fatalf("upload with an odd file name: %d %s", res.Status, res.Body)
		}
		if got := d.Filename; got != "Báo cáo\uFFFD.pdf" {
			t.Errorf("stored file name %q", got)
		}
	})
}
