package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// The minutes (secretary, chair, administrators) name no confidential
// document the downloader may not read: an administrator outside the
// meeting gets none of its title, id or file name, in either format.
// (Regression test for the new minutes route.)
func TestMinutesHideConfidentialDocuments(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0])
	c := s.NewCast("mnt")
	m := c.Meeting("Minutes")
	const title = "Danh sách kỷ luật MẬT"
	var doc struct{ ID string }
	c.Secretary.Upload("/api/v1/meetings/"+m+"/documents", "kyluat-secret.pdf", testpdf.Pages(1, "mnt"),
		map[string]string{"title": title, "confidential": "true", "reader_ids": c.Delegate.UserID}).JSON(&doc)
	for _, who := range []struct {
		name string
		c    *apptest.Client
	}{{"admin outside", c.Admin}} {
		for _, f := range []string{"html", "json"} {
			res := who.c.Do("GET", "/api/v1/meetings/"+m+"/minutes?format="+f, nil)
			if res.Status != http.StatusOK {
				t.Errorf("%s minutes %s: %d %s", who.name, f, res.Status, res.Body)
				continue
			}
			body := string(res.Body)
			for _, secret := range []string{title, doc.ID, "kyluat-secret"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s's %s minutes name %q", who.name, f, secret)
				}
			}
		}
	}
	if res := c.Observer.Do("GET", "/api/v1/meetings/"+m+"/minutes", nil); res.Status != http.StatusForbidden {
		t.Errorf("the observer's minutes: %d, want 403", res.Status)
	}
	res := c.Secretary.Do("GET", "/api/v1/meetings/"+m+"/minutes?format=json", nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), title) {
		t.Errorf("the secretary's minutes lack the document: %d", res.Status)
	}
}
