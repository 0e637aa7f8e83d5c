package agenda_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// The chair's conclusion on an agenda item ("Kết luận"): set through
// PATCH /agenda-items/{id} by those who may change the agenda, in any
// state of the meeting but closed, audited by its length and announced
// with the agenda.

// conclusionText is a conclusion as a chair writes one: several lines,
// Vietnamese, with a blank line.
const conclusionText = "Thống nhất thông qua báo cáo.\nGiao Văn phòng hoàn thiện dự thảo.\n\nBáo cáo lại tại kỳ họp sau."

// concludedItem is an agenda item as the API shows it, with its conclusion.
type concludedItem struct {
	ID         string          `json:"id"`
	Title      string          `json:"title"`
	Conclusion *string         `json:"conclusion"`
	Items      []concludedItem `json:"items"`
}

// conclusionOf reads item id's conclusion from the agenda tree as c sees
// it; it fails the test when the item or its conclusion field is missing.
func conclusionOf(t *testing.T, c *apptest.Client, m, id string) string {
	t.Helper()
	var ag struct{ Items []concludedItem }
	c.Get("/api/v1/meetings/"+m+"/agenda", &ag)
	var walk func([]concludedItem) *concludedItem
	walk = func(items []concludedItem) *concludedItem {
		for i := range items {
			if items[i].ID == id {
				return &items[i]
			}
			if f := walk(items[i].Items); f != nil {
				return f
			}
		}
		return nil
	}
	it := walk(ag.Items)
	if it == nil || it.Conclusion == nil {
		t.Fatalf("agenda item %s shown without a conclusion field: %+v", id, it)
	}
	return *it.Conclusion
}

func setConclusion(text string) map[string]any { return map[string]any{"conclusion": text} }

// TestConclusionRoles: the secretary, the chair and an administrator may
// write the conclusion (the rule of every agenda change), before and in
// the session; a delegate and an observer are refused, and someone who
// does not take part does not see the item.
func TestConclusionRoles(t *testing.T) {
	body := apptest.JSONString(setConclusion(conclusionText))
	want := `"conclusion":` + apptest.JSONString(conclusionText)
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		cast.RunRoles(t, []apptest.RoleCase{
			{Name: "conclude before the session", Method: "PATCH", Path: "/api/v1/agenda-items/{item}", Setup: withItem, Body: body,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{`"id":"{item}"`, want}},
			{Name: "conclude in session", Method: "PATCH", Path: "/api/v1/agenda-items/{item}", Setup: withLiveItem, Body: body,
				Want: [6]int{ok, ok, forbidden, forbidden, notFound, ok}, Contains: []string{want}},
		})
	})
}

// TestConclusionStates: the conclusion may be written in every state of
// the meeting (draft, scheduled, live, adjourned) and on an item in any
// state (pending, current, done, after the session moved on), and
// cleared; once the meeting is closed it is read-only (409), and the
// conclusion stays as it was.
func TestConclusionStates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Conclusion states")
		a, bb := addItem(cast.Secretary, m, "A", ""), addItem(cast.Secretary, m, "B", "")
		a1 := addItem(cast.Secretary, m, "A1", a)
		path := func(id string) string { return "/api/v1/agenda-items/" + id }
		conclude := func(c *apptest.Client, id, text string) {
			t.Helper()
			var it concludedItem
			c.Must(ok, "PATCH", path(id), setConclusion(text)).JSON(&it)
			if it.ID != id || it.Conclusion == nil || *it.Conclusion != text {
				t.Errorf("PATCH answered %+v, want conclusion %q", it, text)
			}
			if got := conclusionOf(t, cast.Delegate, m, id); got != text {
				t.Errorf("the agenda shows conclusion %q, want %q", got, text)
			}
		}

		conclude(cast.Secretary, a, "Dự kiến: thông qua.") // draft
		cast.SetStatus(m, "scheduled")
		conclude(cast.Chair, a1, "Mục con: ghi nhận.")
		cast.SetStatus(m, "live")
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": a})
		conclude(cast.Chair, a, conclusionText) // current
		cast.Chair.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": bb})
		conclude(cast.Chair, a, conclusionText+"\nBổ sung sau khi chuyển nội dung.") // done
		cast.SetStatus(m, "adjourned")
		conclude(cast.Admin, bb, "Tạm dừng: chưa kết luận.")
		conclude(cast.Chair, bb, "") // cleared
		// Surrounding spaces go, as for a description; the lines inside stay.
		var it concludedItem
		cast.Chair.Must(ok, "PATCH", path(bb), setConclusion("  \n Thông qua.\r\nGiao Sở Tài chính.\n\t ")).JSON(&it)
		if it.Conclusion == nil || *it.Conclusion != "Thông qua.\r\nGiao Sở Tài chính." {
			t.Errorf("conclusion stored as %q", deref(it.Conclusion))
		}
		cast.SetStatus(m, "live", "closed")

		final := conclusionOf(t, cast.Chair, m, a)
		apptest.RunRefusals(t, func() string { return agendaState(cast, m, a) }, []apptest.Refusal{
			{Name: "chair concludes after the close", As: cast.Chair, Method: "PATCH", Path: path(a), Body: setConclusion("Muộn"), Want: conflict},
			{Name: "secretary clears after the close", As: cast.Secretary, Method: "PATCH", Path: path(a), Body: setConclusion(""), Want: conflict},
			{Name: "admin concludes after the close", As: cast.Admin, Method: "PATCH", Path: path(bb), Body: setConclusion("Muộn"), Want: conflict},
		})
		if got := conclusionOf(t, cast.Chair, m, a); got != final {
			t.Errorf("closed meeting: conclusion %q, want %q", got, final)
		}
	})
}

// TestConclusionBadInput: a conclusion that is too long, holds control
// characters or is not a string is a 400 (a delegate or an observer a
// 403, someone outside a 404), and nothing is written: not the
// conclusion, not another field sent with it.
func TestConclusionBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Conclusion bad input")
		a := addItem(cast.Secretary, m, "A", "")
		cast.SetStatus(m, "scheduled", "live")
		path := "/api/v1/agenda-items/" + a
		cast.Chair.Must(ok, "PATCH", path, setConclusion("Kết luận ban đầu."))
		before := auditCount(cast, m)
		chair := cast.Chair
		apptest.RunRefusals(t, func() string { return agendaState(cast, m, a) }, []apptest.Refusal{
			{Name: "10001 characters", As: chair, Method: "PATCH", Path: path, Body: setConclusion(strings.Repeat("ư", 10001)), Want: invalid},
			{Name: "a control character", As: chair, Method: "PATCH", Path: path, Body: setConclusion("Thông qua\x07."), Want: invalid},
			{Name: "an escape sequence", As: chair, Method: "PATCH", Path: path, Body: setConclusion("\x1b[31mĐỏ"), Want: invalid},
			{Name: "a number", As: chair, Method: "PATCH", Path: path, Body: `{"conclusion":42}`, Want: invalid},
			{Name: "a list", As: chair, Method: "PATCH", Path: path, Body: `{"conclusion":["a"]}`, Want: invalid},
			{Name: "null alone: nothing to change", As: chair, Method: "PATCH", Path: path, Body: `{"conclusion":null}`, Want: invalid},
			{Name: "a NUL character", As: chair, Method: "PATCH", Path: path, Body: `{"conclusion":"Thông\u0000qua"}`, Want: invalid},
			{Name: "good conclusion, bad duration", As: chair, Method: "PATCH", Path: path,
				Body: map[string]any{"conclusion": "Mới", "duration_min": -1}, Want: invalid},
			{Name: "good conclusion, bad title", As: chair, Method: "PATCH", Path: path,
				Body: map[string]any{"conclusion": "Mới", "title": ""}, Want: invalid},
			{Name: "delegate", As: cast.Delegate, Method: "PATCH", Path: path, Body: setConclusion("Của tôi"), Want: forbidden},
			{Name: "observer", As: cast.Observer, Method: "PATCH", Path: path, Body: setConclusion("Của tôi"), Want: forbidden},
			{Name: "outsider", As: cast.Outsider, Method: "PATCH", Path: path, Body: setConclusion("Của tôi"), Want: notFound},
			{Name: "no such item", As: chair, Method: "PATCH", Path: "/api/v1/agenda-items/nosuchitem", Body: setConclusion("x"), Want: notFound},
		})
		if n := auditCount(cast, m); n != before {
			t.Errorf("refused conclusions wrote %d audit entries", n-before)
		}
		// The limit itself is allowed: 10,000 characters, not bytes.
		limit := strings.Repeat("ư", 10000)
		cast.Chair.Must(ok, "PATCH", path, setConclusion(limit))
		if got := conclusionOf(t, cast.Chair, m, a); got != limit {
			t.Errorf("a conclusion of 10,000 characters read back with %d", len([]rune(got)))
		}
	})
}

// TestConclusionAuditAndEvent: a conclusion is audited as an item change
// (agenda.item_updated) that says the conclusion changed and how long it
// now is, never its text, and agenda.changed carries it to every tablet.
func TestConclusionAuditAndEvent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		rec := event.NewRecorder(100)
		_, cast := apptest.StartCast(t, b, apptest.WithPublisher(rec))
		m := cast.Meeting("Conclusion audit")
		a := addItem(cast.Secretary, m, "Báo cáo", "")
		cast.SetStatus(m, "scheduled", "live")
		path := "/api/v1/agenda-items/" + a
		carries := func(want string) func(t *testing.T, es []event.Event) {
			return func(t *testing.T, es []event.Event) {
				ag, isAgenda := es[0].Data.(agenda.Agenda)
				if !isAgenda || len(ag.Items) != 1 || ag.Items[0].ID != a || ag.Items[0].Conclusion != want {
					t.Errorf("agenda.changed carries %#v, want the item with conclusion %q", es[0].Data, want)
				}
			}
		}
		changed := []string{"agenda.changed"}
		before := auditCount(cast, m)
		cast.RunSteps(t, rec, m, []apptest.Step{
			{Name: "chair concludes", As: cast.Chair, Method: "PATCH", Path: path, Body: setConclusion(conclusionText), Want: ok,
				Events: changed, Action: "agenda.item_updated", Then: carries(conclusionText)},
			{Name: "delegate refused", As: cast.Delegate, Method: "PATCH", Path: path, Body: setConclusion("Không"), Want: forbidden},
			{Name: "too long", As: cast.Chair, Method: "PATCH", Path: path, Body: setConclusion(strings.Repeat("a", 10001)), Want: invalid},
			{Name: "secretary concludes with a title", As: cast.Secretary, Method: "PATCH", Path: path,
				Body: map[string]any{"title": "Báo cáo tổng kết", "conclusion": "Ghi nhận."}, Want: ok,
				Events: changed, Action: "agenda.item_updated", Then: carries("Ghi nhận.")},
			{Name: "chair clears", As: cast.Chair, Method: "PATCH", Path: path, Body: setConclusion(""), Want: ok,
				Events: changed, Action: "agenda.item_updated", Then: carries("")},
		})

		entries := auditSince(cast, m, before)
		if len(entries) != 3 {
			t.Fatalf("audit entries %v, want three agenda.item_updated", actions(entries))
		}
		wantLen := []float64{float64(len([]rune(conclusionText))), float64(len([]rune("Ghi nhận."))), 0}
		for i, e := range entries {
			if e.Object != "agenda_item:"+a || e.Detail["conclusion"] != "changed" || e.Detail["conclusion_length"] != wantLen[i] {
				t.Errorf("entry %d: %s %s %v, want conclusion changed with length %v", i, e.Action, e.Object, e.Detail, wantLen[i])
			}
		}
		if entries[0].ActorID != cast.Chair.UserID || entries[1].ActorID != cast.Secretary.UserID {
			t.Errorf("audited actors %s, %s", entries[0].ActorID, entries[1].ActorID)
		}
		if entries[1].Detail["title"] != "Báo cáo tổng kết" {
			t.Errorf("the title changed with the conclusion is not audited: %v", entries[1].Detail)
		}
		// The text itself is nowhere in the log.
		raw := string(cast.Admin.Must(ok, "GET", "/api/v1/audit?limit=1000&meeting_id="+m, nil).Body)
		for _, line := range strings.Split(conclusionText, "\n") {
			if line != "" && strings.Contains(raw, jsonInner(line)) {
				t.Errorf("the audit log holds the conclusion's text %q", line)
			}
		}
		if strings.Contains(raw, "Ghi nhận.") {
			t.Error("the audit log holds the conclusion's text")
		}
	})
}

// jsonInner is s as it appears inside a JSON string.
func jsonInner(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// oldItemRow is the agenda_items table as it was before conclusions.
type oldItemRow struct {
	ID              string  `gorm:"primaryKey;size:64"`
	MeetingID       string  `gorm:"size:64;not null;index"`
	ParentID        *string `gorm:"size:64;index"`
	Position        int     `gorm:"not null"`
	Title           string  `gorm:"size:300;not null"`
	Description     string  `gorm:"type:text;not null"`
	DurationMin     int     `gorm:"not null"`
	PresenterID     *string `gorm:"size:64"`
	Status          string  `gorm:"size:16;not null"`
	BecameCurrentAt *time.Time
	DoneAt          *time.Time
	CreatedAt       time.Time `gorm:"not null"`
	UpdatedAt       time.Time `gorm:"not null"`
}

func (oldItemRow) TableName() string { return "agenda_items" }

// sqlLog records the statements gorm runs.
type sqlLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *sqlLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *sqlLog) Info(context.Context, string, ...any)     {}
func (l *sqlLog) Warn(context.Context, string, ...any)     {}
func (l *sqlLog) Error(context.Context, string, ...any)    {}
func (l *sqlLog) statements() []string                     { l.mu.Lock(); defer l.mu.Unlock(); return l.sql }
func (l *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, s)
}

// TestConclusionMigratesAnOlderTable: a database made before conclusions,
// with items in it, gets the column when the agenda migration runs (as
// on every start), its items with an empty conclusion; rows written
// without the column get one too; and migrating again changes nothing
// in the table (on SQLite a changed column would rebuild it).
func TestConclusionMigratesAnOlderTable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		u, dir := b.URL(t)
		db, err := database.Open(ctx, database.Options{URL: u, DataDir: dir})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		now := time.Now().UTC().Truncate(time.Second)
		if err := db.Gorm.AutoMigrate(&oldItemRow{}); err != nil {
			t.Fatalf("old table: %v", err)
		}
		old := oldItemRow{ID: "old-item", MeetingID: "m", Title: "Từ trước", Description: "Mô tả", Status: "done", CreatedAt: now, UpdatedAt: now}
		if err := db.Gorm.Create(&old).Error; err != nil {
			t.Fatalf("old row: %v", err)
		}

		if err := db.Migrate(ctx, agenda.Migration()); err != nil {
			t.Fatalf("migrate an older table: %v", err)
		}
		conclusion := func(id string) string {
			t.Helper()
			var got []string
			if err := db.Gorm.Raw("SELECT conclusion FROM agenda_items WHERE id = ?", id).Scan(&got).Error; err != nil || len(got) != 1 {
				t.Fatalf("read conclusion of %s: %v %v", id, got, err)
			}
			return got[0]
		}
		if got := conclusion("old-item"); got != "" {
			t.Errorf("an item from before has conclusion %q", got)
		}
		// A node still on the old code writes rows without the column.
		if err := db.Gorm.Create(&oldItemRow{ID: "older-code", MeetingID: "m", Title: "Mới", Status: "pending", CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatalf("a row without the column: %v", err)
		}
		if got := conclusion("older-code"); got != "" {
			t.Errorf("a row written without the column has conclusion %q", got)
		}
		if err := db.Gorm.Exec("UPDATE agenda_items SET conclusion = ? WHERE id = ?", "Đã kết luận", "old-item").Error; err != nil {
			t.Fatalf("write a conclusion: %v", err)
		}

		log := &sqlLog{}
		again := &database.DB{Gorm: db.Gorm.Session(&gorm.Session{Logger: log}), Dialect: db.Dialect}
		if err := again.Migrate(ctx, agenda.Migration()); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
		if len(log.statements()) == 0 {
			t.Fatal("the statements of the second migration were not seen")
		}
		for _, s := range log.statements() {
			up := strings.ToUpper(s)
			if strings.Contains(up, "AGENDA_ITEMS") && (strings.Contains(up, "ALTER TABLE") || strings.Contains(up, "DROP TABLE") ||
				strings.Contains(up, "CREATE TABLE") || strings.Contains(up, "INSERT INTO")) {
				t.Errorf("migrating an up-to-date table changed it: %s", s)
			}
		}
		if got := conclusion("old-item"); got != "Đã kết luận" {
			t.Errorf("after migrating again the conclusion is %q", got)
		}
	})
}
