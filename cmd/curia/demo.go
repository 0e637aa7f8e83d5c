package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/agenda"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// demoPassword is printed at start; the demo is for trying Curia out on
// one machine, never for real meetings.
const demoPassword = "curia-demo"

type demoUser struct {
	username, fullName string
	admin              bool
}

var demoUsers = []demoUser{
	{"admin", "Quản trị hệ thống", true},
	{"chutri", "Nguyễn Văn An", false},
	{"thuky", "Trần Thị Bình", false},
	{"daibieu1", "Lê Minh Châu", false},
	{"daibieu2", "Phạm Thu Dung", false},
	{"daibieu3", "Hoàng Quốc Em", false},
	{"daibieu4", "Vũ Thị Giang", false},
	{"daibieu5", "Đặng Hữu Hải", false},
	{"daibieu6", "Bùi Thị Hạnh", false},
	{"daibieu7", "Đỗ Văn Khoa", false},
	{"daibieu8", "Ngô Thị Lan", false},
	{"quansat", "Dương Văn Minh", false},
}

// seedDemo creates the demo users, meeting and documents and prints the
// logins. Every step first looks at what is there and makes only what is
// missing, so a seed that was interrupted (Ctrl-C during the first
// `make run`) is finished by the next run rather than taken as done.
func seedDemo(ctx context.Context, a *app.App, out io.Writer) error {
	if err := checkDemoDatabase(ctx, a); err != nil {
		return err
	}
	if err := seedDemoUsers(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo logins (password %q for all):\n", demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(out, "  %-10s %s\n", u.username, u.fullName)
	}
	m, err := seedDemoMeeting(ctx, a, out)
	if err != nil {
		return err
	}
	if m.Status == meeting.Closed {
		return nil // closed by someone trying the demo out: read-only, kept as it ended
	}
	return seedDemoDocuments(ctx, a, m)
}

// checkDemoDatabase refuses a database that is not the demo's, before the
// seed writes anything: the demo's accounts (an administrator among them)
// have a published password, and `curia demo` run with a real server's
// CURIA_DATA_DIR or CURIA_DATABASE_URL (the image sets the first, compose
// the second) must not add them to its database. The database is the
// demo's when
//   - every user in it is a demo user (the demo's username with the demo's
//     full name) and every meeting in it is the demo meeting: a fresh
//     database, or one a seed was interrupted in; or
//   - the seed made all its users and its meeting (created by the demo's
//     secretary): then what people trying the demo added (users, meetings)
//     is theirs to keep, and the seed will create no account.
//
// Anything else (a user "admin" made by CURIA_ADMIN_PASSWORD is named
// "Administrator", not as the demo names its admin) is refused.
func checkDemoDatabase(ctx context.Context, a *app.App) error {
	users, err := a.Accounts.ListUsers(ctx, web.Actor{})
	if err != nil {
		return err
	}
	meetings, err := a.Meetings.List(ctx, web.Actor{IsAdmin: true})
	if err != nil {
		return err
	}
	demoName := make(map[string]string, len(demoUsers))
	for _, u := range demoUsers {
		demoName[u.username] = u.fullName
	}
	ours := map[string]string{} // demo username → id
	var others []string
	for _, u := range users {
		if name, ok := demoName[u.Username]; ok && name == u.FullName {
			ours[u.Username] = u.ID
		} else {
			others = append(others, u.Username)
		}
	}
	var demoMeeting *meeting.Meeting
	otherMeetings := 0
	for i, m := range meetings {
		if m.Title == demoMeetingTitle && demoMeeting == nil {
			demoMeeting = &meetings[i]
		} else {
			otherMeetings++
		}
	}
	if len(others) == 0 && otherMeetings == 0 {
		return nil
	}
	if len(ours) == len(demoUsers) && demoMeeting != nil && demoMeeting.CreatedBy == ours["thuky"] {
		return nil
	}
	what := fmt.Sprintf("%d meeting(s) that are not the demo's", otherMeetings)
	if len(others) > 0 {
		if len(others) > 3 {
			others = append(others[:3], "…")
		}
		what = fmt.Sprintf("users that are not the demo's (%s)", strings.Join(others, ", "))
	}
	return fmt.Errorf("this database has %s, so it is not a demo database, and the demo will not add its accounts "+
		"(whose password is published) to it; nothing was written. Run the demo on a database of its own: "+
		"`curia demo --data DIR` with a new DIR, and without CURIA_DATABASE_URL", what)
}

// seedDemoUsers creates the demo users that do not exist yet.
func seedDemoUsers(ctx context.Context, a *app.App) error {
	ids, err := demoUserIDs(ctx, a)
	if err != nil {
		return err
	}
	for _, u := range demoUsers {
		if _, ok := ids[u.username]; ok {
			continue
		}
		_, err := a.Accounts.CreateUser(ctx, nil, account.NewUser{Username: u.username, Password: demoPassword, FullName: u.fullName, IsAdmin: u.admin}, "")
		if err != nil && !apperr.Is(err, apperr.Conflict) { // Conflict: made meanwhile by another process
			return err
		}
	}
	return nil
}

// demoMeetingTitle names the demo meeting; it is made once per database.
const demoMeetingTitle = "Kỳ họp thứ 12 Hội đồng nhân dân tỉnh khóa XVII"

// demoRoles are the demo users' parts in the meeting; thuky creates it
// and so is its secretary.
var demoRoles = map[string]meeting.Role{
	"chutri": meeting.Chair, "quansat": meeting.Observer,
	"daibieu1": meeting.Delegate, "daibieu2": meeting.Delegate, "daibieu3": meeting.Delegate, "daibieu4": meeting.Delegate,
	"daibieu5": meeting.Delegate, "daibieu6": meeting.Delegate, "daibieu7": meeting.Delegate, "daibieu8": meeting.Delegate,
}

type demoItem struct {
	title     string
	minutes   int
	presenter string // a demo username
	items     []demoItem
}

var demoAgenda = []demoItem{
	{"Khai mạc kỳ họp", 0, "chutri", []demoItem{
		{"Chào cờ, tuyên bố lý do, giới thiệu đại biểu", 5, "thuky", nil},
		{"Diễn văn khai mạc", 10, "chutri", nil},
	}},
	{"Báo cáo tình hình kinh tế - xã hội năm 2025, kế hoạch năm 2026", 0, "daibieu1", []demoItem{
		{"Báo cáo của Ủy ban nhân dân tỉnh", 25, "daibieu1", nil},
		{"Báo cáo thẩm tra của Ban Kinh tế - Ngân sách", 20, "daibieu2", nil},
	}},
	{"Dự toán ngân sách địa phương năm 2026", 0, "daibieu3", []demoItem{
		{"Tờ trình dự toán thu, chi ngân sách", 20, "daibieu3", nil},
		{"Phương án phân bổ ngân sách cấp tỉnh", 20, "daibieu4", nil},
	}},
	{"Thảo luận tại hội trường", 90, "chutri", nil},
	{"Xem xét, thông qua các nghị quyết", 0, "thuky", []demoItem{
		{"Nghị quyết về kế hoạch phát triển kinh tế - xã hội năm 2026", 15, "daibieu5", nil},
		{"Nghị quyết về dự toán ngân sách địa phương năm 2026", 15, "daibieu6", nil},
		{"Nghị quyết về kế hoạch đầu tư công năm 2026", 15, "daibieu7", nil},
	}},
	{"Bế mạc kỳ họp", 15, "chutri", nil},
}

// seedDemoMeeting makes the demo meeting, through the services:
// participants, a six-item agenda, in session with its first item
// current and a draft poll on it. It finds the meeting by its title, and
// finishes what an interrupted seed left undone (see finishDemoMeeting).
// It prints the meeting and returns it as it now is.
func seedDemoMeeting(ctx context.Context, a *app.App, out io.Writer) (meeting.Meeting, error) {
	ids, err := demoUserIDs(ctx, a)
	if err != nil {
		return meeting.Meeting{}, err
	}
	sec := web.Actor{UserID: ids["thuky"], Username: "thuky"}
	m, found, err := findDemoMeeting(ctx, a, sec)
	if err != nil {
		return meeting.Meeting{}, err
	}
	if !found {
		starts := time.Now().UTC().Truncate(time.Hour)
		m, err = a.Meetings.Create(ctx, sec, meeting.NewMeeting{Title: demoMeetingTitle, StartsAt: &starts,
			Location: "Hội trường Trung tâm Hội nghị tỉnh", Description: "Kỳ họp thường lệ cuối năm 2025."})
		if err != nil {
			return meeting.Meeting{}, fmt.Errorf("demo meeting: %w", err)
		}
	}
	if m, err = finishDemoMeeting(ctx, a, sec, m, ids); err != nil {
		return meeting.Meeting{}, fmt.Errorf("demo meeting: %w", err)
	}
	fmt.Fprintf(out, "Demo meeting: %s (%s)\n", m.Title, m.ID)
	return m, nil
}

// findDemoMeeting finds the demo meeting by its title.
func findDemoMeeting(ctx context.Context, a *app.App, sec web.Actor) (meeting.Meeting, bool, error) {
	existing, err := a.Meetings.List(ctx, sec)
	if err != nil {
		return meeting.Meeting{}, false, err
	}
	for _, m := range existing {
		if m.Title == demoMeetingTitle {
			return m, true, nil
		}
	}
	return meeting.Meeting{}, false, nil
}

// finishDemoMeeting brings the demo meeting to where the seed leaves it,
// making only what is missing. The seed takes the meeting live right
// after its participants and agenda, and a meeting never goes back from
// live: so while it is in draft or scheduled the seed has not got that
// far, and the participants and agenda items it lacks are added. Once
// live, the poll is the seed's last step on the meeting: without it, the
// first item is made current (unless one is) and the poll is created.
// What people trying the demo do later (a participant removed, the poll
// run, the meeting closed) is left as it is.
func finishDemoMeeting(ctx context.Context, a *app.App, sec web.Actor, m meeting.Meeting, ids map[string]string) (meeting.Meeting, error) {
	var err error
	if m.Status == meeting.Draft || m.Status == meeting.Scheduled {
		if err := ensureDemoParticipants(ctx, a, sec, m.ID, ids); err != nil {
			return m, err
		}
		ag, err := a.Agenda.Agenda(ctx, sec, m.ID)
		if err != nil {
			return m, err
		}
		if err := ensureDemoItems(ctx, a.Agenda, sec, m.ID, nil, demoAgenda, ag.Items, ids); err != nil {
			return m, err
		}
		if m.Status == meeting.Draft {
			if m, err = a.Meetings.SetStatus(ctx, sec, m.ID, string(meeting.Scheduled)); err != nil {
				return m, err
			}
		}
		if m, err = a.Meetings.SetStatus(ctx, sec, m.ID, string(meeting.Live)); err != nil {
			return m, err
		}
	}
	if m.Status != meeting.Live {
		return m, nil
	}
	polls, err := a.Votes.List(ctx, sec, m.ID)
	if err != nil {
		return m, err
	}
	for _, p := range polls {
		if p.Title == demoPollTitle {
			return m, nil
		}
	}
	ag, err := a.Agenda.Agenda(ctx, sec, m.ID)
	if err != nil {
		return m, err
	}
	var first string
	for _, it := range ag.Items {
		if it.Title == demoAgenda[0].title {
			first = it.ID
			break
		}
	}
	if first == "" {
		return m, fmt.Errorf("the demo meeting has no agenda item %q", demoAgenda[0].title)
	}
	if ag.CurrentItemID == nil {
		chair := web.Actor{UserID: ids["chutri"], Username: "chutri"}
		if _, err := a.Agenda.SetCurrent(ctx, chair, m.ID, first); err != nil {
			return m, err
		}
	}
	// A named motion in draft on the first item: the chair opens it and
	// the delegates (once checked in) vote agree, disagree or abstain.
	_, err = a.Votes.CreatePoll(ctx, sec, m.ID, vote.NewPoll{Title: demoPollTitle, AgendaItemID: &first})
	return m, err
}

// ensureDemoParticipants adds the demo users who are not participants yet
// in their demo roles (thuky, who made the meeting, is its secretary).
func ensureDemoParticipants(ctx context.Context, a *app.App, sec web.Actor, meetingID string, ids map[string]string) error {
	ps, err := a.Meetings.Participants(ctx, meetingID)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(ps))
	for _, p := range ps {
		have[p.UserID] = true
	}
	for _, u := range demoUsers {
		role, ok := demoRoles[u.username]
		if !ok || have[ids[u.username]] {
			continue
		}
		if _, _, err := a.Meetings.PutParticipant(ctx, sec, meetingID, ids[u.username], meeting.ParticipantInput{Role: string(role)}); err != nil {
			return err
		}
	}
	return nil
}

// demoPollTitle names the demo's draft poll: adopting the agenda, which
// is what a session votes on first.
const demoPollTitle = "Thông qua chương trình kỳ họp"

// ensureDemoItems adds the items of want (and their sub-items) under
// parent that are not among have, matched by title. The seed adds items
// one by one in this same order, so what an interrupted seed left out
// is the tail of each list, and adding it restores the planned order.
func ensureDemoItems(ctx context.Context, ag *agenda.Service, sec web.Actor, meetingID string, parent *string, want []demoItem, have []agenda.Item, ids map[string]string) error {
	byTitle := make(map[string]agenda.Item, len(have))
	for _, it := range have {
		byTitle[it.Title] = it
	}
	for _, d := range want {
		it, ok := byTitle[d.title]
		if !ok {
			presenter := ids[d.presenter]
			var err error
			it, err = ag.AddItem(ctx, sec, meetingID, agenda.NewItem{Title: d.title, ParentID: parent, DurationMin: d.minutes, PresenterID: &presenter})
			if err != nil {
				return err
			}
		}
		if err := ensureDemoItems(ctx, ag, sec, meetingID, &it.ID, d.items, it.Items, ids); err != nil {
			return err
		}
	}
	return nil
}

// demoUserIDs maps the demo usernames to their ids.
func demoUserIDs(ctx context.Context, a *app.App) (map[string]string, error) {
	users, err := a.Accounts.ListUsers(ctx, web.Actor{})
	if err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(users))
	for _, u := range users {
		ids[u.Username] = u.ID
	}
	return ids, nil
}
