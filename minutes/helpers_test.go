package minutes_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// TestMain lets the test binary serve as the PDF worker of the test
// servers (the scenario uploads documents).
func TestMain(m *testing.M) { apptest.Main(m) }

const (
	ok        = http.StatusOK
	created   = http.StatusCreated
	invalid   = http.StatusBadRequest
	forbidden = http.StatusForbidden
	notFound  = http.StatusNotFound
)

// The scenario's texts. The title carries markup that must come out
// escaped; the confidential title must never reach who may not read it.
const (
	meetingTitle = `Kỳ họp <script>alert("x")</script> & thứ nhất`
	location     = `Hội trường <b>A</b>`
	confTitle    = "Phương án nhân sự tuyệt mật"
	absentReason = "Đi công tác nước ngoài"
)

// fileTitle is the title as a file name gives it: no path separator.
var fileTitle = strings.ReplaceAll(meetingTitle, "/", "_")

var startsAt = time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)

// scenario is a meeting in session with its whole record: participants
// with attendance (the observer absent with a reason), an agenda with a
// sub-item, an open and a confidential document (the delegate may read
// it, an administrator who does not take part may not) and one filed
// under no item, a speaker who had the floor and one who withdrew, a
// closed secret poll under an item and a closed named poll under none.
type scenario struct {
	s                          *apptest.Server
	c                          *apptest.Cast
	m                          string
	item1, item11, item2       string
	doc, conf, annex           string
	speaker                    string
	secretPoll, namedPoll      string
	secretaryName, chairName   string
	delegateName, observerName string
}

func setup(t *testing.T, b testdb.Backend) *scenario {
	t.Helper()
	s, c := apptest.StartCast(t, b)
	sc := &scenario{s: s, c: c, secretaryName: "Người secretary", chairName: "Người chair",
		delegateName: "Người delegate", observerName: "Người observer"}
	m := c.Meeting(meetingTitle)
	sc.m = m
	sec, chair, del := c.Secretary, c.Chair, c.Delegate
	sec.Must(ok, "PATCH", "/api/v1/meetings/"+m, map[string]any{"starts_at": startsAt, "location": location})

	sc.item1 = addItem(sec, m, map[string]any{"title": "Báo cáo tình hình", "duration_min": 30, "presenter_id": del.UserID})
	sc.item11 = addItem(sec, m, map[string]any{"title": "Thảo luận", "duration_min": 15, "parent_id": sc.item1})
	sc.item2 = addItem(sec, m, map[string]any{"title": "Thông qua nghị quyết", "duration_min": 10})

	sc.doc = upload(t, sec, m, "to-trinh.pdf", 2, map[string]string{"title": "Tờ trình số 1", "agenda_item_id": sc.item1})
	sc.conf = upload(t, sec, m, "mat.pdf", 1, map[string]string{"title": confTitle, "agenda_item_id": sc.item11,
		"confidential": "true", "reader_ids": del.UserID})
	sc.annex = upload(t, sec, m, "phu-luc.pdf", 3, map[string]string{"title": "Phụ lục"})

	c.SetStatus(m, "scheduled", "live")
	attend := func(cl *apptest.Client, body map[string]any) {
		cl.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", body)
	}
	attend(chair, map[string]any{"state": "present"})
	attend(del, map[string]any{"state": "remote"})
	attend(sec, map[string]any{"user_id": sec.UserID, "state": "present"})
	attend(sec, map[string]any{"user_id": c.Observer.UserID, "state": "absent", "reason": absentReason})

	var sp struct{ ID string }
	del.Must(created, "POST", "/api/v1/agenda-items/"+sc.item11+"/speakers", map[string]any{"kind": "speech"}).JSON(&sp)
	sc.speaker = sp.ID
	// The floor is given on the current item only.
	chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": sc.item11})
	chair.Must(ok, "POST", "/api/v1/speakers/"+sp.ID+"/start", nil)
	chair.Must(ok, "POST", "/api/v1/speakers/"+sp.ID+"/finish", nil)
	var withdrawn struct{ ID string }
	chair.Must(created, "POST", "/api/v1/agenda-items/"+sc.item11+"/speakers", map[string]any{"kind": "question"}).JSON(&withdrawn)
	chair.Must(ok, "POST", "/api/v1/speakers/"+withdrawn.ID+"/cancel", nil)

	sc.secretPoll = closedPoll(sec, chair, del, m, map[string]any{"title": "Thông qua nghị quyết", "secret": true,
		"agenda_item_id": sc.item2}, "agree", "agree")
	sc.namedPoll = closedPoll(sec, chair, del, m, map[string]any{"title": "Chọn ngày họp tiếp theo", "secret": false},
		"agree", "disagree")
	return sc
}

func addItem(cl *apptest.Client, m string, body map[string]any) string {
	var it struct{ ID string }
	cl.Must(created, "POST", "/api/v1/meetings/"+m+"/agenda", body).JSON(&it)
	return it.ID
}

func upload(t *testing.T, cl *apptest.Client, m, name string, pages int, fields map[string]string) string {
	t.Helper()
	res := cl.Upload("/api/v1/meetings/"+m+"/documents", name, testpdf.Pages(pages, name), fields)
	res.Check(t, "upload "+name, created)
	var d struct{ ID string }
	res.JSON(&d)
	return d.ID
}

// closedPoll creates a poll, opens it, has the chair and the delegate
// vote and closes it.
func closedPoll(sec, chair, del *apptest.Client, m string, body map[string]any, chairVote, delVote string) string {
	var p struct{ ID string }
	sec.Must(created, "POST", "/api/v1/meetings/"+m+"/polls", body).JSON(&p)
	chair.Must(ok, "POST", "/api/v1/polls/"+p.ID+"/open", nil)
	chair.Must(created, "POST", "/api/v1/polls/"+p.ID+"/votes", map[string]any{"option": chairVote})
	del.Must(created, "POST", "/api/v1/polls/"+p.ID+"/votes", map[string]any{"option": delVote})
	chair.Must(ok, "POST", "/api/v1/polls/"+p.ID+"/close", nil)
	return p.ID
}

// path is the minutes route of the scenario's meeting with a query.
func (sc *scenario) path(query string) string {
	p := "/api/v1/meetings/" + sc.m + "/minutes"
	if query != "" {
		p += "?" + query
	}
	return p
}

// exports counts the meeting's minutes.exported audit entries.
func (sc *scenario) exports(t *testing.T) int {
	t.Helper()
	n := 0
	for _, a := range sc.c.AuditActions(t, sc.m) {
		if a == "minutes.exported" {
			n++
		}
	}
	return n
}
