package vote_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestBadPolls refuses malformed or impossible polls and leaves the
// meeting without any.
func TestBadPolls(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vbp")
		m := c.Meeting("Bad polls")
		other := c.Meeting("Another meeting")
		var item struct{ ID string }
		c.Secretary.Must(created, "POST", "/api/v1/meetings/"+other+"/agenda", map[string]any{"title": "Khác"}).JSON(&item)
		sixty := make([]map[string]string, 60)
		for i := range sixty {
			sixty[i] = map[string]string{"label": fmt.Sprint("Ứng viên ", i)}
		}
		cases := []struct {
			name string
			body any
			want int
		}{
			{"malformed JSON", `{"title":`, invalid},
			{"not an object", `[1,2]`, invalid},
			{"unknown field", `{"title":"x","secrett":true}`, invalid},
			{"10,000-character title", map[string]any{"title": strings.Repeat("đ", 10000)}, invalid},
			{"title on two lines", map[string]any{"title": "a\nb"}, invalid},
			{"60 options", map[string]any{"title": "Bầu", "options": sixty}, invalid},
			{"one option", map[string]any{"title": "Bầu", "options": []map[string]string{{"label": "An"}}}, invalid},
			{"option without label", map[string]any{"title": "Bầu", "options": []map[string]string{{"label": "An"}, {"id": "b"}}}, invalid},
			{"more choices than options", map[string]any{"title": "Bầu", "max_choices": 3,
				"options": []map[string]string{{"label": "An"}, {"label": "Bình"}}}, invalid},
			{"unknown majority", map[string]any{"title": "x", "majority": "most"}, invalid},
			{"agenda item of another meeting", map[string]any{"title": "x", "agenda_item_id": item.ID}, unprocessable},
			{"unknown agenda item", map[string]any{"title": "x", "agenda_item_id": "nope"}, unprocessable},
		}
		for _, tc := range cases {
			c.Secretary.Do("POST", "/api/v1/meetings/"+m+"/polls", tc.body).Check(t, tc.name, tc.want)
		}
		c.Secretary.Do("POST", "/api/v1/meetings/"+m+"/polls", "{}", "Content-Type", "text/plain").Check(t, "not JSON", http.StatusUnsupportedMediaType)
		var list struct{ Polls []poll }
		c.Secretary.Get("/api/v1/meetings/"+m+"/polls", &list)
		if len(list.Polls) != 0 {
			t.Errorf("refused polls were stored: %+v", list.Polls)
		}
	})
}

// TestBadVotes refuses every vote that must not count and shows the poll
// unchanged afterwards: nobody voted, and nothing was audited.
func TestBadVotes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vbv")
		m, p := livePoll(c, map[string]any{"title": "Bầu hai người", "secret": true, "max_choices": 2,
			"options": []map[string]string{{"id": "an", "label": "An"}, {"id": "binh", "label": "Bình"}, {"id": "chi", "label": "Chi"}}})
		absent := srv.SignIn(srv.CreateUser("vbv.absent", "Vắng mặt", false))
		c.Secretary.Must(created, "PUT", "/api/v1/meetings/"+m+"/participants/"+absent.UserID, map[string]any{"role": "delegate"})
		path := "/api/v1/polls/" + p + "/votes"
		// A draft is hidden from a delegate (404, as GET says); the chair sees it, and it is not open (409).
		c.Delegate.Do("POST", path, map[string]any{"option": "an"}).Check(t, "a delegate votes in a draft", notFound)
		c.Chair.Do("POST", path, map[string]any{"option": "an"}).Check(t, "the chair votes in a draft", conflict)
		step(c.Chair, p, "open", ok)
		before := c.AuditActions(t, m)
		cases := []struct {
			name string
			as   *apptest.Client
			body any
			want int
		}{
			{"malformed JSON", c.Delegate, `{"option":`, invalid},
			{"no option", c.Delegate, `{}`, invalid},
			{"option and options", c.Delegate, map[string]any{"option": "an", "options": []string{"binh"}}, invalid},
			{"unknown option", c.Delegate, map[string]any{"option": "dung"}, unprocessable},
			{"a motion's option", c.Delegate, map[string]any{"option": "agree"}, unprocessable},
			{"too many choices", c.Delegate, map[string]any{"options": []string{"an", "binh", "chi"}}, unprocessable},
			{"the same choice twice", c.Delegate, map[string]any{"options": []string{"an", "an"}}, invalid},
			{"a number", c.Delegate, `{"option":7}`, invalid},
			{"observer", c.Observer, map[string]any{"option": "an"}, forbidden},
			{"secretary without a vote", c.Secretary, map[string]any{"option": "an"}, forbidden},
			{"absent delegate", absent, map[string]any{"option": "an"}, forbidden},
			{"admin who does not take part", c.Admin, map[string]any{"option": "an"}, forbidden},
			{"outsider", c.Outsider, map[string]any{"option": "an"}, notFound},
			{"unknown poll", c.Delegate, map[string]any{"option": "an"}, notFound},
		}
		for _, tc := range cases {
			target := path
			if tc.name == "unknown poll" {
				target = "/api/v1/polls/nope/votes"
			}
			tc.as.Do("POST", target, tc.body).Check(t, tc.name, tc.want)
		}
		if got := readPoll(c.Chair, p); got.Voted != 0 || got.Status != "open" {
			t.Errorf("after refused votes: voted %d, status %s", got.Voted, got.Status)
		}
		if after := c.AuditActions(t, m); len(after) != len(before) {
			t.Errorf("refused votes were audited: %v", after[len(before):])
		}
		voteAs(c.Delegate, p, "an").Check(t, "a good vote after all that", created)
		c.SetStatus(m, "adjourned")
		voteAs(c.Chair, p, "an").Check(t, "vote while adjourned", conflict)
		c.Chair.Do("POST", "/api/v1/meetings/"+m+"/status", map[string]any{"status": "closed"}).
			Check(t, "close the meeting with the poll open", conflict, "close or cancel the open vote first")
		// A meeting closed with a poll open (as before the close guard
		// existed) still takes no vote and lets no poll step through.
		if err := srv.App.DB.Gorm.Exec("UPDATE meetings SET status = ? WHERE id = ?", "closed", m).Error; err != nil {
			t.Fatal(err)
		}
		voteAs(c.Chair, p, "an").Check(t, "vote in a closed meeting", conflict)
		step(c.Chair, p, "close", conflict)
		if got := readPoll(c.Chair, p); got.Voted != 1 || got.Status != "open" {
			t.Errorf("closed meeting: voted %d, status %s", got.Voted, got.Status)
		}
	})
}

// TestOpenNeedsSession: a poll opens only while its meeting is in session.
func TestOpenNeedsSession(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vos")
		m := c.Meeting("Not yet")
		p := newPoll(c.Secretary, m, nil)
		step(c.Chair, p, "open", conflict)
		step(c.Chair, p, "close", conflict)
		step(c.Chair, p, "publish", conflict)
		if got := readPoll(c.Chair, p); got.Status != "draft" {
			t.Errorf("status %s after refused steps", got.Status)
		}
		step(c.Chair, p, "cancel", ok)
		step(c.Chair, p, "cancel", ok)
		step(c.Chair, p, "open", conflict)
	})
}
