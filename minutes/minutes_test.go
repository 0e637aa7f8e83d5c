package minutes_test

import (
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/minutes"
	"github.com/curia/curia/vote"
)

// The minutes carry the meeting's record exactly as the services keep
// it, as JSON and as a printable page, and record each export.
func TestMinutes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		sc := setup(t, b)
		// One after the other on the one server: its clients fail the
		// test they were made in, so no subtests here.
		checkJSON(t, sc)
		checkConfidential(t, sc)
		checkHTML(t, sc)
		checkEnglish(t, sc)
		checkTimeZone(t, sc)
		checkRefusals(t, sc)
		checkAudit(t, sc)
		checkClosed(t, sc) // last: it closes the meeting
	})
}

// readJSON fetches the JSON minutes as cl.
func readJSON(t *testing.T, sc *scenario, cl *apptest.Client) (minutes.Minutes, apptest.Response) {
	t.Helper()
	res := cl.Do("GET", sc.path("format=json"), nil)
	res.Check(t, "minutes as JSON", ok)
	var m minutes.Minutes
	res.JSON(&m)
	return m, res
}

func checkJSON(t *testing.T, sc *scenario) {
	c := sc.c
	before := time.Now().UTC().Add(-time.Second)
	m, res := readJSON(t, sc, c.Secretary)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if m.Lang != "vi" || !m.Draft || m.GeneratedAt.Before(before) || m.GeneratedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("lang %q, draft %v, generated %v", m.Lang, m.Draft, m.GeneratedAt)
	}
	mi := m.Meeting
	if mi.ID != sc.m || mi.Title != meetingTitle || mi.Status != "live" || mi.Location != location ||
		mi.StartsAt == nil || !mi.StartsAt.Equal(startsAt) || mi.StartedAt == nil || mi.ClosedAt != nil {
		t.Errorf("meeting %+v", mi)
	}
	if want := []minutes.Person{{UserID: c.Chair.UserID, FullName: sc.chairName}}; !slices.Equal(m.Chairs, want) {
		t.Errorf("chairs %+v, want %+v", m.Chairs, want)
	}
	if want := []minutes.Person{{UserID: c.Secretary.UserID, FullName: sc.secretaryName}}; !slices.Equal(m.Secretaries, want) {
		t.Errorf("secretaries %+v, want %+v", m.Secretaries, want)
	}

	// Participants in roll order, with attendance as the meeting records it.
	var att struct {
		Attendance []struct {
			UserID      string     `json:"user_id"`
			CheckedInAt *time.Time `json:"checked_in_at"`
		} `json:"attendance"`
	}
	c.Secretary.Get("/api/v1/meetings/"+sc.m+"/attendance", &att)
	checkedIn := map[string]*time.Time{}
	for _, a := range att.Attendance {
		checkedIn[a.UserID] = a.CheckedInAt
	}
	var got []string
	for _, p := range m.Participants {
		got = append(got, fmt.Sprintf("%s|%s|%v|%s|%s", p.FullName, p.Role, p.CanVote, p.Attendance, p.Reason))
		if w := checkedIn[p.UserID]; (w == nil) != (p.CheckedInAt == nil) || w != nil && !w.Equal(*p.CheckedInAt) {
			t.Errorf("%s checked in at %v, the meeting says %v", p.FullName, p.CheckedInAt, w)
		}
	}
	want := []string{
		sc.chairName + "|chair|true|present|",
		sc.secretaryName + "|secretary|false|present|",
		sc.delegateName + "|delegate|true|remote|",
		sc.observerName + "|observer|false|absent|" + absentReason,
	}
	if !slices.Equal(got, want) {
		t.Errorf("participants\n got %q\nwant %q", got, want)
	}
	if m.Participants[3].CheckedInAt != nil || m.Participants[0].CheckedInAt == nil {
		t.Errorf("check-in times %+v", m.Participants)
	}
	// The chair and the delegate vote: both attend (one remote), 2 of 2, 2 needed.
	if q := (minutes.Quorum{Rule: "majority", Present: 2, Remote: 1, Eligible: 2, Required: 2, Reached: true}); m.Quorum != q {
		t.Errorf("quorum %+v, want %+v", m.Quorum, q)
	}

	// The agenda tree, numbered, with presenter and planned minutes.
	if len(m.Items) != 2 || len(m.Items[0].Items) != 1 || len(m.Items[1].Items) != 0 {
		t.Fatalf("agenda shape: %+v", m.Items)
	}
	i1, i11, i2 := m.Items[0], m.Items[0].Items[0], m.Items[1]
	for _, x := range []struct {
		it                     minutes.Item
		id, number, title, who string
		min                    int
	}{
		{i1, sc.item1, "1", "Báo cáo tình hình", sc.delegateName, 30},
		{i11, sc.item11, "1.1", "Thảo luận", "", 15},
		{i2, sc.item2, "2", "Thông qua nghị quyết", "", 10},
	} {
		if x.it.ID != x.id || x.it.Number != x.number || x.it.Title != x.title || x.it.PresenterName != x.who || x.it.DurationMin != x.min {
			t.Errorf("item %+v, want %s %s %q by %q, %d min", x.it, x.id, x.number, x.title, x.who, x.min)
		}
	}

	// Documents under their items; the secretary reads the confidential one.
	docs := func(ds []minutes.Document) []minutes.Document { return ds }
	if want := []minutes.Document{{ID: sc.doc, Title: "Tờ trình số 1", Pages: 2}}; !slices.Equal(docs(i1.Documents), want) {
		t.Errorf("item 1 documents %+v, want %+v", i1.Documents, want)
	}
	if want := []minutes.Document{{ID: sc.conf, Title: confTitle, Pages: 1, Confidential: true}}; !slices.Equal(i11.Documents, want) || i11.WithheldDocuments != 0 {
		t.Errorf("item 1.1 documents %+v (%d withheld), want %+v", i11.Documents, i11.WithheldDocuments, want)
	}
	if want := []minutes.Document{{ID: sc.annex, Title: "Phụ lục", Pages: 3}}; !slices.Equal(m.Unfiled.Documents, want) {
		t.Errorf("unfiled documents %+v, want %+v", m.Unfiled.Documents, want)
	}
	if len(i2.Documents) != 0 || i2.Documents == nil {
		t.Errorf("item 2 documents %#v, want []", i2.Documents)
	}

	// Who had the floor: the delegate's speech, with the times the agenda kept;
	// not the chair's withdrawn question.
	var q struct {
		History []struct {
			ID         string     `json:"id"`
			StartedAt  *time.Time `json:"started_at"`
			FinishedAt *time.Time `json:"finished_at"`
		} `json:"history"`
	}
	c.Secretary.Get("/api/v1/agenda-items/"+sc.item11+"/speakers", &q)
	var spoke *time.Time
	var finished *time.Time
	for _, h := range q.History {
		if h.ID == sc.speaker {
			spoke, finished = h.StartedAt, h.FinishedAt
		}
	}
	if len(i11.Speakers) != 1 || spoke == nil {
		t.Fatalf("item 1.1 speakers %+v", i11.Speakers)
	}
	sp := i11.Speakers[0]
	if sp.UserID != c.Delegate.UserID || sp.FullName != sc.delegateName || sp.Kind != "speech" ||
		!sp.StartedAt.Equal(*spoke) || sp.FinishedAt == nil || !sp.FinishedAt.Equal(*finished) {
		t.Errorf("speaker %+v, want the delegate's speech %v–%v", sp, spoke, finished)
	}
	if len(i1.Speakers) != 0 || len(i2.Speakers) != 0 {
		t.Errorf("speakers on items 1 and 2: %+v %+v", i1.Speakers, i2.Speakers)
	}

	// The secret poll under item 2: counts, no names.
	if len(i2.Polls) != 1 || len(i1.Polls) != 0 || len(i11.Polls) != 0 || len(m.Unfiled.Polls) != 1 {
		t.Fatalf("polls: item 2 %d, item 1 %d, item 1.1 %d, unfiled %d", len(i2.Polls), len(i1.Polls), len(i11.Polls), len(m.Unfiled.Polls))
	}
	secret := i2.Polls[0]
	checkPoll(t, sc, secret, sc.secretPoll, true, map[string]int64{"agree": 2, "disagree": 0, "abstain": 0})
	if secret.Votes != nil {
		t.Errorf("a secret poll's minutes name voters: %+v", secret.Votes)
	}
	raw, _ := json.Marshal(secret)
	for _, id := range []string{c.Chair.UserID, c.Delegate.UserID, sc.chairName, sc.delegateName} {
		if strings.Contains(string(raw), id) {
			t.Errorf("the secret poll's minutes hold %q: %s", id, raw)
		}
	}

	// The named poll under no item: counts and, as its export gives the
	// secretary, who chose what.
	named := m.Unfiled.Polls[0]
	checkPoll(t, sc, named, sc.namedPoll, false, map[string]int64{"agree": 1, "disagree": 1, "abstain": 0})
	wantVotes := []string{sc.chairName + ":agree", sc.delegateName + ":disagree"}
	var gotVotes []string
	for _, v := range named.Votes {
		gotVotes = append(gotVotes, v.FullName+":"+strings.Join(v.Options, ","))
	}
	if !slices.Equal(gotVotes, wantVotes) {
		t.Errorf("named votes %q, want %q", gotVotes, wantVotes)
	}
}

// checkPoll compares a poll in the minutes with what the vote service's
// results export gives the same actor, and with the counts expected.
func checkPoll(t *testing.T, sc *scenario, p minutes.Poll, id string, secret bool, counts map[string]int64) {
	t.Helper()
	var ex vote.Poll
	sc.c.Secretary.Get("/api/v1/polls/"+id+"/results?format=json", &ex)
	if p.ID != id || p.Secret != secret || p.Status != "closed" || p.Kind != "motion" || p.Title != ex.Title {
		t.Errorf("poll %+v", p)
	}
	got := map[string]int64{}
	for i, r := range p.Results {
		got[r.Option] = r.Votes
		if r.Label != ex.Results[i].Label || r.Votes != ex.Results[i].Votes || r.Weight != ex.Results[i].Weight {
			t.Errorf("result %+v, the export says %+v", r, ex.Results[i])
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(counts) {
		t.Errorf("poll %s counts %v, want %v", p.Title, got, counts)
	}
	if p.Results[0].Label != "Đồng ý" {
		t.Errorf("agree is labelled %q", p.Results[0].Label)
	}
	if e := p.Electorate; e == nil || e.Voted != 2 || e.Eligible != 2 || e.Members != ex.Electorate.Members || e.Present != ex.Electorate.Present {
		t.Errorf("electorate %+v, the export says %+v", e, ex.Electorate)
	}
	if p.Outcome == "" || p.Outcome != ex.Outcome {
		t.Errorf("outcome %q, the export says %q", p.Outcome, ex.Outcome)
	}
	if len(p.Votes) != len(ex.Votes) {
		t.Errorf("%d named votes, the export gives %d", len(p.Votes), len(ex.Votes))
	}
}

// An administrator who does not take part may export the minutes but
// not read the confidential document: its title is nowhere, only that
// one is withheld.
func checkConfidential(t *testing.T, sc *scenario) {
	for _, q := range []string{"format=json", "", "lang=en"} {
		res := sc.c.Admin.Do("GET", sc.path(q), nil)
		res.Check(t, "admin's minutes "+q, ok)
		if strings.Contains(string(res.Body), confTitle) || strings.Contains(string(res.Body), sc.conf) {
			t.Errorf("the admin's minutes (%s) name the confidential document", q)
		}
	}
	m, _ := readJSON(t, sc, sc.c.Admin)
	i11 := m.Items[0].Items[0]
	if len(i11.Documents) != 0 || i11.WithheldDocuments != 1 || m.Items[0].WithheldDocuments != 0 || m.Unfiled.WithheldDocuments != 0 {
		t.Errorf("admin: item 1.1 documents %+v, %d withheld", i11.Documents, i11.WithheldDocuments)
	}
	if len(m.Items[0].Documents) != 1 || len(m.Unfiled.Documents) != 1 {
		t.Errorf("admin misses open documents: %+v %+v", m.Items[0].Documents, m.Unfiled.Documents)
	}
	html := sc.c.Admin.Must(ok, "GET", sc.path(""), nil)
	if !strings.Contains(string(html.Body), "1 tài liệu mật không hiển thị") {
		t.Errorf("the admin's page does not say a document is withheld")
	}
	// The chair reads it, as the secretary does.
	chair := sc.c.Chair.Must(ok, "GET", sc.path(""), nil)
	if !strings.Contains(string(chair.Body), confTitle) {
		t.Errorf("the chair's page lacks the confidential title")
	}
}

func checkHTML(t *testing.T, sc *scenario) {
	res := sc.c.Secretary.Do("GET", sc.path(""), nil)
	res.Check(t, "minutes as HTML", ok)
	body := string(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	cd := res.Header.Get("Content-Disposition")
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil || disp != "attachment" || params["filename"] != "Biên bản - "+fileTitle+".html" {
		t.Errorf("Content-Disposition %q: %v %q %q", cd, err, disp, params["filename"])
	}
	if !strings.Contains(cd, `filename="bien-ban-ky-hop-script-alert-x-script-thu-nhat.html"`) {
		t.Errorf("ASCII file name in %q", cd)
	}
	for _, bad := range []string{"<script", "src=", "href=", "<link", "@import", "url("} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, frag := range []string{
		"<!DOCTYPE html>", `<html lang="vi">`, `<meta charset="utf-8">`, "<style>",
		"Kỳ họp &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; thứ nhất",
		"Hội trường &lt;b&gt;A&lt;/b&gt;",
		"Biên bản cuộc họp", "Dự thảo", "Chủ trì", "Thư ký", "Có mặt", "Trực tuyến", "Vắng mặt", "Lý do",
		"Nội dung", "Biểu quyết", "Đồng ý", "Không đồng ý", "Túc số", "Đủ túc số", "Đang họp",
		absentReason, sc.observerName, sc.delegateName, "08:30 01/12/2026",
		"1. <bdi>Báo cáo tình hình</bdi>", "1.1. <bdi>Thảo luận</bdi>", "2. <bdi>Thông qua nghị quyết</bdi>", "30 phút",
		"<bdi>Tờ trình số 1</bdi> (2 trang)", confTitle, "[Mật]", "<bdi>Phụ lục</bdi> (3 trang)",
		"Bỏ phiếu kín", "Biểu quyết công khai", "Thông qua nghị quyết", "Chọn ngày họp tiếp theo",
		"Biểu quyết của từng thành viên", "Phát biểu", "Tài liệu chung", "Biểu quyết không thuộc mục nội dung nào",
	} {
		if !strings.Contains(body, frag) {
			t.Errorf("the page lacks %q", frag)
		}
	}
	// The secret poll's section names nobody.
	start := strings.Index(body, "Bỏ phiếu kín")
	end := strings.Index(body[start:], "</div>")
	if start < 0 || end < 0 || strings.Contains(body[start:start+end], sc.chairName) || strings.Contains(body[start:start+end], sc.delegateName) {
		t.Errorf("the secret poll's section names a voter: %s", body[max(start, 0):max(start, 0)+max(end, 0)])
	}
}

func checkEnglish(t *testing.T, sc *scenario) {
	res := sc.c.Chair.Do("GET", sc.path("lang=en&format=html"), nil)
	res.Check(t, "minutes in English", ok, `<html lang="en">`, "Minutes of the meeting", "Draft", "Chair", "Secretary",
		"Present", "Remote", "Absent", "Reason", absentReason, "In favour", "Against", "Secret ballot", "Open vote",
		"2026-12-01 08:30 (UTC)", "30 min", "Quorum reached", "Kỳ họp &lt;script&gt;")
	for _, vi := range []string{"Biên bản", "Vắng mặt", "Đồng ý"} {
		if strings.Contains(string(res.Body), vi) {
			t.Errorf("the English page holds %q", vi)
		}
	}
	_, params, _ := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if params["filename"] != "Minutes - "+fileTitle+".html" {
		t.Errorf("English file name %q", params["filename"])
	}
	var m minutes.Minutes
	sc.c.Chair.Must(ok, "GET", sc.path("lang=en&format=json"), nil).JSON(&m)
	if m.Lang != "en" || m.Participants[3].Attendance != "absent" {
		t.Errorf("English JSON: lang %q, %+v", m.Lang, m.Participants[3])
	}
}

// The page's times are UTC unless the reader names a time zone; JSON stays
// in UTC whatever the zone.
func checkTimeZone(t *testing.T, sc *scenario) {
	for _, tc := range []struct{ query, want string }{
		{"", "08:30 01/12/2026 (UTC)"},
		{"tz=Asia/Ho_Chi_Minh", "15:30 01/12/2026 (GMT+07:00)"},
		{"tz=America/New_York&lang=en", "2026-12-01 03:30 (GMT-05:00)"},
	} {
		res := sc.c.Secretary.Do("GET", sc.path(tc.query), nil)
		res.Check(t, "minutes "+tc.query, ok)
		if !strings.Contains(html.UnescapeString(string(res.Body)), tc.want) {
			t.Errorf("%q: the page does not give the start as %q", tc.query, tc.want)
		}
	}
	var m minutes.Minutes
	sc.c.Secretary.Must(ok, "GET", sc.path("format=json&tz=Asia/Ho_Chi_Minh"), nil).JSON(&m)
	if m.Meeting.StartsAt == nil || !m.Meeting.StartsAt.Equal(startsAt) || m.Meeting.StartsAt.Location() != time.UTC {
		t.Errorf("JSON starts_at %v, want %v in UTC", m.Meeting.StartsAt, startsAt)
	}
}

// A bad format or language is a 400 with a message and writes nothing;
// refused actors write nothing either.
func checkRefusals(t *testing.T, sc *scenario) {
	before := sc.exports(t)
	c := sc.c
	for _, tc := range []struct {
		name   string
		cl     *apptest.Client
		query  string
		status int
		msg    string
	}{
		{"format pdf", c.Secretary, "format=pdf", invalid, `format must be html or json, not \"pdf\"`},
		{"format upper case", c.Secretary, "format=HTML", invalid, "format must be html or json"},
		{"lang fr", c.Secretary, "lang=fr", invalid, `lang must be vi or en, not \"fr\"`},
		{"lang with json", c.Admin, "format=json&lang=", ok, ""}, // empty is the default
		{"delegate", c.Delegate, "", forbidden, "secretary, its chair or an administrator"},
		{"observer", c.Observer, "format=json", forbidden, ""},
		{"outsider", c.Outsider, "", notFound, "meeting not found"},
		{"outsider, bad format", c.Outsider, "format=pdf", invalid, ""},
		{"unknown time zone", c.Secretary, "tz=Mars/Olympus", invalid, "tz must be a time zone name"},
		{"the server's own zone", c.Secretary, "tz=Local", invalid, "tz must be a time zone name"},
	} {
		res := tc.cl.Do("GET", sc.path(tc.query), nil)
		res.Check(t, tc.name, tc.status, tc.msg)
		if tc.status >= 400 && res.ErrorCode() == "" {
			t.Errorf("%s: no error body: %s", tc.name, res.Body)
		}
		if tc.status == ok {
			before++
		}
	}
	sc.s.Anonymous().Do("GET", sc.path(""), nil).Check(t, "no session", 401)
	if after := sc.exports(t); after != before {
		t.Errorf("%d minutes.exported entries, want %d", after, before)
	}
}

// Each export is audited: who, which meeting, in what format and language.
func checkAudit(t *testing.T, sc *scenario) {
	before := sc.exports(t)
	sc.c.Chair.Must(ok, "GET", sc.path("format=json&lang=en"), nil)
	if n := sc.exports(t); n != before+1 {
		t.Fatalf("%d minutes.exported entries after an export, want %d", n, before+1)
	}
	var out struct {
		Entries []struct {
			ActorID   string         `json:"actor_id"`
			Object    string         `json:"object"`
			MeetingID string         `json:"meeting_id"`
			Detail    map[string]any `json:"detail"`
		} `json:"entries"`
	}
	sc.c.Admin.Get("/api/v1/audit?action=minutes.exported&meeting_id="+sc.m+"&limit=1", &out)
	if len(out.Entries) != 1 {
		t.Fatalf("audit entries %+v", out.Entries)
	}
	e := out.Entries[0]
	if e.ActorID != sc.c.Chair.UserID || e.Object != "meeting:"+sc.m || e.MeetingID != sc.m ||
		e.Detail["format"] != "json" || e.Detail["lang"] != "en" || e.Detail["draft"] != true {
		t.Errorf("audit entry %+v", e)
	}
}

// Once the meeting is closed the minutes are no longer a draft.
func checkClosed(t *testing.T, sc *scenario) {
	sc.c.SetStatus(sc.m, "closed")
	m, _ := readJSON(t, sc, sc.c.Secretary)
	if m.Draft || m.Meeting.Status != "closed" || m.Meeting.ClosedAt == nil {
		t.Errorf("closed meeting: draft %v, %+v", m.Draft, m.Meeting)
	}
	res := sc.c.Secretary.Must(ok, "GET", sc.path(""), nil)
	if strings.Contains(string(res.Body), "Dự thảo") || !strings.Contains(string(res.Body), "Đã kết thúc") {
		t.Errorf("the closed meeting's page is still marked a draft")
	}
}

// Who may export: the secretary, the chair and administrators; other
// participants are refused, and outsiders do not learn the meeting exists.
func TestMinutesRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s, c := apptest.StartCast(t, b)
		want := [6]int{ok, ok, forbidden, forbidden, notFound, ok}
		c.RunRoles(t, []apptest.RoleCase{
			{Name: "html", Method: "GET", Path: "/api/v1/meetings/{m}/minutes", Want: want,
				Contains: []string{"Biên bản cuộc họp", "Role table: html"}},
			{Name: "json", Method: "GET", Path: "/api/v1/meetings/{m}/minutes?format=json&lang=en", Want: want,
				Contains: []string{`"id": "{m}"`, `"draft": true`}},
		})
		m := c.Meeting("Không phiên")
		s.Anonymous().Do("GET", "/api/v1/meetings/"+m+"/minutes", nil).Check(t, "no session", 401)
		c.Admin.Do("GET", "/api/v1/meetings/nosuchmeeting/minutes", nil).Check(t, "no such meeting", notFound)
	})
}
