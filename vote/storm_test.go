package vote_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/vote/votetest"
)

// storm sends body to url as every voter at once, each copies times, and
// returns the status of every request, per voter. The timeout is for the
// race detector, which makes the pure-Go SQLite some ten times slower.
func storm(voters []votetest.Voter, url string, body func(i int) string, copies int) [][]int {
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxConnsPerHost: 256, MaxIdleConnsPerHost: 256}}
	defer hc.CloseIdleConnections()
	out := make([][]int, len(voters))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, v := range voters {
		out[i] = make([]int, copies)
		for k := range copies {
			wg.Go(func() {
				<-start
				out[i][k] = send(hc, url, v.Token, body(i))
			})
		}
	}
	close(start)
	wg.Wait()
	return out
}

// send POSTs a JSON body and returns the status, or 0 when no answer came.
func send(hc *http.Client, url, token, body string) int {
	req, err := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// TestVoteStorm has 1,000 delegates vote at the same moment, each sending
// its vote five times: exactly one of each five counts, the other four
// are 409, nothing fails, and the tally is what was sent.
func TestVoteStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand voters take a while")
	}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vs")
		m, p := livePoll(c, nil)
		began := time.Now()
		voters, err := votetest.Seed(context.Background(), srv.App, m, 1000, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d voters ready in %v", len(voters), time.Since(began).Round(time.Millisecond))
		step(c.Chair, p, "open", ok)
		options := []string{"agree", "disagree", "abstain"}
		choice := func(i int) string { return options[i%7%3] }
		began = time.Now()
		res := storm(voters, srv.URL+"/api/v1/polls/"+p+"/votes", func(i int) string {
			return fmt.Sprintf(`{"option":%q}`, choice(i))
		}, 5)
		t.Logf("5,000 requests answered in %v", time.Since(began).Round(time.Millisecond))
		var okN, dupN, other atomic.Int64
		for i, statuses := range res {
			n := 0
			for _, s := range statuses {
				switch s {
				case created:
					n++
					okN.Add(1)
				case conflict:
					dupN.Add(1)
				default:
					other.Add(1)
					t.Errorf("voter %d got %d", i, s)
				}
			}
			if n != 1 {
				t.Errorf("voter %d: %d votes accepted", i, n)
			}
		}
		if okN.Load() != 1000 || dupN.Load() != 4000 || other.Load() != 0 {
			t.Fatalf("%d accepted, %d refused as duplicates, %d other", okN.Load(), dupN.Load(), other.Load())
		}
		want := map[string]int64{}
		for i := range voters {
			want[choice(i)]++
		}
		got := step(c.Chair, p, "close", ok)
		if w := got.weights(); w["agree"] != want["agree"] || w["disagree"] != want["disagree"] || w["abstain"] != want["abstain"] {
			t.Errorf("tally %v, want %v", w, want)
		}
		if got.Electorate.Voted != 1000 || got.Voted != 1000 {
			t.Errorf("voted %d / %d, want 1000", got.Electorate.Voted, got.Voted)
		}
	})
}
