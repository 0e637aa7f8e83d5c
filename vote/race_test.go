package vote_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote/votetest"
)

// TestVotesRacingClose closes a poll in the middle of a storm of votes,
// at a different moment each round (after the first 1, 50 or 150
// votes are acknowledged): every acknowledged vote is counted,
// with its choice, and no vote sent after the close returned is taken.
func TestVotesRacingClose(t *testing.T) {
	if testing.Short() {
		t.Skip("storms take a while")
	}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vrc")
		m, _ := livePoll(c, nil)
		voters, err := votetest.Seed(context.Background(), srv.App, m, 300, true)
		if err != nil {
			t.Fatal(err)
		}
		for round, after := range []int{1, 50, 150} {
			p := newPoll(c.Secretary, m, nil)
			step(c.Chair, p, "open", ok)
			raceClose(t, srv, c, p, voters, after, round)
		}
	})
}

// sent is one vote of the race: its choice, when it left, and its answer.
type sent struct {
	choice string
	at     time.Time
	status int
}

func raceClose(t *testing.T, srv *apptest.Server, c *apptest.Cast, pollID string, voters []votetest.Voter, after, round int) {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 128, MaxIdleConnsPerHost: 128}}
	defer hc.CloseIdleConnections()
	options := []string{"agree", "disagree", "abstain"}
	votes := make([]sent, len(voters))
	var wg sync.WaitGroup
	var acks atomic.Int64
	start, enough := make(chan struct{}), make(chan struct{})
	for i, v := range voters {
		votes[i].choice = options[(i+round)%3]
		wg.Go(func() {
			<-start
			time.Sleep(time.Duration(3*i) * time.Millisecond) // a storm long enough for the close to land in it
			votes[i].at = time.Now()
			votes[i].status = send(hc, srv.URL+"/api/v1/polls/"+pollID+"/votes", v.Token, fmt.Sprintf(`{"option":%q}`, votes[i].choice))
			if votes[i].status == created && acks.Add(1) == int64(after) {
				close(enough)
			}
		})
	}
	close(start)
	<-enough
	closed := step(c.Chair, pollID, "close", ok)
	closedAt := time.Now()
	wg.Wait()
	want := map[string]int64{}
	acked := 0
	for i, v := range votes {
		switch {
		case v.status == created && v.at.After(closedAt):
			t.Errorf("round %d: vote %d sent after the close was taken", round, i)
		case v.status == created:
			want[v.choice]++
			acked++
		case v.status != conflict:
			t.Errorf("round %d: vote %d answered %d", round, i, v.status)
		}
	}
	got := readPoll(c.Chair, pollID)
	if got.Electorate.Voted != acked || closed.Electorate.Voted != acked {
		t.Errorf("round %d: %d votes acknowledged, %d counted at the close, %d now", round, acked, closed.Electorate.Voted, got.Electorate.Voted)
	}
	if w := got.weights(); w["agree"] != want["agree"] || w["disagree"] != want["disagree"] || w["abstain"] != want["abstain"] {
		t.Errorf("round %d: tally %v, acknowledged %v", round, w, want)
	}
	t.Logf("round %d: closed after %d acknowledgements: %d of %d votes counted", round, after, acked, len(votes))
}
