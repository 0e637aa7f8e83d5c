package vote_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

const (
	ok            = http.StatusOK
	created       = http.StatusCreated
	invalid       = http.StatusBadRequest
	forbidden     = http.StatusForbidden
	notFound      = http.StatusNotFound
	conflict      = http.StatusConflict
	unprocessable = http.StatusUnprocessableEntity
)

// poll is a poll as the API shows it.
type poll struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Secret   bool   `json:"secret"`
	Options  []vote.Option
	Voted    int    `json:"voted"`
	Eligible int    `json:"eligible"`
	AgainOf  string `json:"again_of"`
	Me       struct {
		CanVote bool `json:"can_vote"`
		Voted   bool `json:"voted"`
	} `json:"me"`
	Results    []vote.OptionResult `json:"results"`
	Outcome    string              `json:"outcome"`
	Decision   *vote.Decision      `json:"decision"`
	Electorate *vote.Electorate    `json:"electorate"`
	Votes      []vote.NamedVote    `json:"votes"`
}

// weights maps option ids to their weight in the results.
func (p poll) weights() map[string]int64 {
	out := map[string]int64{}
	for _, r := range p.Results {
		out[r.Option] = r.Weight
	}
	return out
}

// livePoll makes a meeting in session with the chair and the delegate
// checked in, and a poll in it created with body (nil: a secret motion).
func livePoll(c *apptest.Cast, body any) (meetingID, pollID string) {
	m := c.Meeting("Kỳ họp thứ nhất")
	c.SetStatus(m, "scheduled", "live")
	c.Chair.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "present"})
	c.Delegate.Must(ok, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "remote"})
	return m, newPoll(c.Secretary, m, body)
}

// newPoll creates a poll as cl and returns its id.
func newPoll(cl *apptest.Client, meetingID string, body any) string {
	if body == nil {
		body = map[string]any{"title": "Thông qua nghị quyết", "secret": true}
	}
	var p poll
	cl.Must(created, "POST", "/api/v1/meetings/"+meetingID+"/polls", body).JSON(&p)
	return p.ID
}

// readPoll returns a poll as cl sees it.
func readPoll(cl *apptest.Client, id string) poll {
	var p poll
	cl.Get("/api/v1/polls/"+id, &p)
	return p
}

// step runs a lifecycle route as cl and expects want.
func step(cl *apptest.Client, pollID, what string, want int) poll {
	var p poll
	res := cl.Must(want, "POST", "/api/v1/polls/"+pollID+"/"+what, nil)
	if want < 300 {
		res.JSON(&p)
	}
	return p
}

// voteAs casts a vote for option as cl and returns the status.
func voteAs(cl *apptest.Client, pollID, option string) apptest.Response {
	return cl.Do("POST", "/api/v1/polls/"+pollID+"/votes", map[string]any{"option": option})
}

// crowd adds n voting delegates to a meeting through the services,
// checked in when present is set, and signs each in. It returns their
// clients. It costs O(n²) (see votetest.Seed): keep n small.
func crowd(t testing.TB, srv *apptest.Server, secretary *apptest.Client, meetingID string, n int, present bool) []*apptest.Client {
	t.Helper()
	ctx := context.Background()
	sec := web.Actor{UserID: secretary.UserID}
	clients := make([]*apptest.Client, n)
	ids := make([]string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			u, err := srv.App.Accounts.CreateUser(ctx, nil, account.NewUser{Username: fmt.Sprintf("d%05d.%s", i, meetingID[:6]),
				Password: apptest.Password, FullName: fmt.Sprintf("Đại biểu %04d", i)}, "")
			if err == nil {
				ids[i] = u.ID
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
	}
	for i, id := range ids {
		if _, _, err := srv.App.Meetings.PutParticipant(ctx, sec, meetingID, id, meeting.ParticipantInput{Role: "delegate"}); err != nil {
			t.Fatalf("add participant: %v", err)
		}
		if present {
			in := meeting.AttendanceInput{UserID: id, State: "present"}
			if _, err := srv.App.Meetings.RecordAttendance(ctx, sec, meetingID, in); err != nil {
				t.Fatalf("check in: %v", err)
			}
		}
		clients[i] = srv.SignIn(id)
	}
	return clients
}

// splitter records the progress events, which the server publishes on
// its own schedule after the vote is answered, apart from the others,
// which follow each request.
type splitter struct{ steps, live *event.Recorder }

func newSplitter() splitter {
	return splitter{steps: event.NewRecorder(200), live: event.NewRecorder(200)}
}

func (s splitter) Publish(ctx context.Context, events ...event.Event) {
	for _, e := range events {
		if e.Type == "poll.progress" || e.Type == "poll.voters" {
			s.live.Publish(ctx, e)
		} else {
			s.steps.Publish(ctx, e)
		}
	}
}

// nextProgress waits for the next poll.progress, passing over poll.voters.
func (s splitter) nextProgress(t testing.TB) vote.Progress {
	t.Helper()
	for {
		if e := s.nextLive(t); e.Type == "poll.progress" {
			return e.Data.(vote.Progress)
		}
	}
}

// nextLive waits up to a second for the next progress event.
func (s splitter) nextLive(t testing.TB) event.Event {
	t.Helper()
	select {
	case e := <-s.live.Events():
		return e
	case <-time.After(time.Second):
		t.Fatal("no progress event within a second")
	}
	return event.Event{}
}
