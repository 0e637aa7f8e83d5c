package vote_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote"
)

// TestProgress checks what the room sees while a poll runs: everyone gets
// the count, only the managers get who has not voted, and a burst of votes
// is coalesced into a few events that end on the true count.
func TestProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		pub := newSplitter()
		srv := apptest.Start(t, b, apptest.WithPublisher(pub))
		c := srv.NewCast("vp")
		m, p := livePoll(c, nil)
		voters := crowd(t, srv, c.Secretary, m, 30, true)
		step(c.Chair, p, "open", ok)

		voteAs(c.Delegate, p, "agree").Check(t, "first vote", created)
		if e := pub.nextLive(t); e.Type != "poll.progress" || e.Audience != nil ||
			e.Data.(vote.Progress) != (vote.Progress{PollID: p, Voted: 1, Eligible: 32}) {
			t.Fatalf("first progress event: %+v", e)
		}
		e := pub.nextLive(t)
		w, _ := e.Data.(vote.Waiting)
		if e.Type != "poll.voters" || len(e.Audience) != 2 || !slices.Contains(e.Audience, c.Chair.UserID) || len(w.NotVoted) != 31 {
			t.Fatalf("who has not voted went to %v with %d names", e.Audience, len(w.NotVoted))
		}

		began := time.Now()
		var wg sync.WaitGroup
		for _, cl := range voters {
			wg.Go(func() { voteAs(cl, p, "disagree").Check(t, "crowd vote", created) })
		}
		wg.Wait()
		time.Sleep(400 * time.Millisecond) // past the trailing edge
		var last vote.Progress
		n := 0
		for _, e := range apptest.Drain(pub.live) {
			if e.Type == "poll.progress" {
				last, n = e.Data.(vote.Progress), n+1
			}
		}
		// At most one event per 250 ms, plus the leading and trailing edge.
		most := 2 + int(time.Since(began)/(250*time.Millisecond))
		if last.Voted != 31 || n < 1 || n > most {
			t.Errorf("after 30 votes in %v: %d progress events (at most %d), the last %+v", time.Since(began), n, most, last)
		}
	})
}
