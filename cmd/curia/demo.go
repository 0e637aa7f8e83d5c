package main

import (
	"context"
	"fmt"
	"io"
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

// seedDemo creates the demo users, meeting and documents (once) and
// prints the logins.
func seedDemo(ctx context.Context, a *app.App, out io.Writer) error {
	for _, u := range demoUsers {
		_, err := a.Accounts.CreateUser(ctx, nil, account.NewUser{Username: u.username, Password: demoPassword, FullName: u.fullName, IsAdmin: u.admin}, "")
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	fmt.Fprintf(out, "Demo logins (password %q for all):\n", demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(out, "  %-10s %s\n", u.username, u.fullName)
	}
	id, err := seedDemoMeeting(ctx, a, out)
	if err != nil {
		return err
	}
	return seedDemoDocuments(ctx, a, id)
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

// seedDemoMeeting creates the demo meeting once, through the services:
// participants, a six-item agenda, in session with its first item
// current and a draft poll on it. It prints and returns the meeting's id.
func seedDemoMeeting(ctx context.Context, a *app.App, out io.Writer) (string, error) {
	ids, err := demoUserIDs(ctx, a)
	if err != nil {
		return "", err
	}
	sec := web.Actor{UserID: ids["thuky"], Username: "thuky"}
	existing, err := a.Meetings.List(ctx, sec)
	if err != nil {
		return "", err
	}
	for _, m := range existing {
		if m.Title == demoMeetingTitle {
			fmt.Fprintf(out, "Demo meeting: %s (%s)\n", m.Title, m.ID)
			return m.ID, nil
		}
	}
	id, err := createDemoMeeting(ctx, a, sec, ids)
	if err != nil {
		return "", fmt.Errorf("demo meeting: %w", err)
	}
	fmt.Fprintf(out, "Demo meeting: %s (%s)\n", demoMeetingTitle, id)
	return id, nil
}

func createDemoMeeting(ctx context.Context, a *app.App, sec web.Actor, ids map[string]string) (string, error) {
	starts := time.Now().UTC().Truncate(time.Hour)
	m, err := a.Meetings.Create(ctx, sec, meeting.NewMeeting{Title: demoMeetingTitle, StartsAt: &starts,
		Location: "Hội trường Trung tâm Hội nghị tỉnh", Description: "Kỳ họp thường lệ cuối năm 2025."})
	if err != nil {
		return "", err
	}
	for username, role := range demoRoles {
		if _, _, err := a.Meetings.PutParticipant(ctx, sec, m.ID, ids[username], meeting.ParticipantInput{Role: string(role)}); err != nil {
			return "", err
		}
	}
	first, err := addDemoItems(ctx, a.Agenda, sec, m.ID, nil, demoAgenda, ids)
	if err != nil {
		return "", err
	}
	for _, st := range []meeting.Status{meeting.Scheduled, meeting.Live} {
		if _, err := a.Meetings.SetStatus(ctx, sec, m.ID, string(st)); err != nil {
			return "", err
		}
	}
	chair := web.Actor{UserID: ids["chutri"], Username: "chutri"}
	if _, err = a.Agenda.SetCurrent(ctx, chair, m.ID, first); err != nil {
		return "", err
	}
	// A named motion in draft on the current item: the chair opens it and
	// the delegates (once checked in) vote agree, disagree or abstain.
	_, err = a.Votes.CreatePoll(ctx, sec, m.ID, vote.NewPoll{Title: demoPollTitle, AgendaItemID: &first})
	return m.ID, err
}

// demoPollTitle names the demo's draft poll: adopting the agenda, which
// is what a session votes on first.
const demoPollTitle = "Thông qua chương trình kỳ họp"

// addDemoItems adds items (and their sub-items) under parent and returns
// the first one's id.
func addDemoItems(ctx context.Context, ag *agenda.Service, sec web.Actor, meetingID string, parent *string, items []demoItem, ids map[string]string) (string, error) {
	first := ""
	for _, d := range items {
		presenter := ids[d.presenter]
		it, err := ag.AddItem(ctx, sec, meetingID, agenda.NewItem{Title: d.title, ParentID: parent, DurationMin: d.minutes, PresenterID: &presenter})
		if err != nil {
			return "", err
		}
		if _, err := addDemoItems(ctx, ag, sec, meetingID, &it.ID, d.items, ids); err != nil {
			return "", err
		}
		if first == "" {
			first = it.ID
		}
	}
	return first, nil
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
