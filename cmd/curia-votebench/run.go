package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/curia/curia/vote/votetest"
)

// timings summarises the latencies of n simultaneous operations.
type timings struct {
	n             int
	p50, p99, max time.Duration
	wall          time.Duration
}

func newTimings(lat []time.Duration, wall time.Duration) timings {
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return timings{n: len(lat), p50: at(0.50), p99: at(0.99), max: lat[len(lat)-1], wall: wall}
}

func (t timings) perSecond() float64 { return float64(t.n) / t.wall.Seconds() }

// result is one run: the baseline and the votes.
type result struct {
	n       int
	base    timings
	votes   timings
	cpu     time.Duration // this process's CPU time during the vote storm, load generator included
	counted int
}

const header = "voters | baseline p50 / p99 / rows/s | votes p50 / p99 / max / all acked in / votes/s | Go CPU per vote | counted | load average"

func (r result) line() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(r.n) }
	return fmt.Sprintf("%6d | %s / %s / %.0f | %s / %s / %s / %s / %.0f | %.2f ms | %d of %d",
		r.n, ms(r.base.p50), ms(r.base.p99), r.base.perSecond(),
		ms(r.votes.p50), ms(r.votes.p99), ms(r.votes.max), ms(r.votes.wall), r.votes.perSecond(),
		per(r.cpu), r.counted, r.n)
}

// oneRun starts a server, times the baseline, seeds n voters, has them
// all vote at once, and checks that every acknowledged vote is counted.
func oneRun(ctx context.Context, o options, n int) (result, error) {
	s, err := startServer(ctx, o.db)
	if err != nil {
		return result{}, err
	}
	defer s.stop()
	r := result{n: n}
	if r.base, err = baseline(ctx, s.app.DB.Gorm, n); err != nil {
		return r, fmt.Errorf("baseline: %w", err)
	}
	voters, err := votetest.Seed(ctx, s.app, s.meeting, n, true)
	if err != nil {
		return r, err
	}
	if _, err := s.app.Votes.OpenPoll(ctx, s.chair, s.pollID); err != nil {
		return r, err
	}
	r.votes, r.cpu, err = s.storm(ctx, voters, o.conns, o.profile)
	if err != nil {
		return r, err
	}
	p, err := s.app.Votes.ClosePoll(ctx, s.chair, s.pollID)
	if err != nil {
		return r, err
	}
	r.counted = p.Electorate.Voted
	if r.counted != n {
		return r, fmt.Errorf("%d votes acknowledged but %d counted", n, r.counted)
	}
	return r, nil
}

// storm has every voter vote at once over HTTP; any answer but 201 fails
// the run. The connections are opened beforehand, as a room's tablets
// have theirs, so the storm times votes and not TCP handshakes.
// The CPU profile (to profile, "" for none) covers the storm only.
func (s *server) storm(ctx context.Context, voters []votetest.Voter, conns int, profile string) (timings, time.Duration, error) {
	clients, closeAll := newClients(len(voters), conns)
	defer closeAll()
	// Each voter's client opens its connection now, as a tablet has its own.
	if _, err := measure(len(voters), func(i int) error { return get(ctx, clients[i], s.url+"/healthz") }); err != nil {
		return timings{}, 0, fmt.Errorf("open connections: %w", err)
	}
	url := s.url + "/api/v1/polls/" + s.pollID + "/votes"
	options := []string{"agree", "disagree", "abstain"}
	stopProfile, err := startProfile(profile)
	if err != nil {
		return timings{}, 0, err
	}
	defer stopProfile()
	cpu := cpuTime()
	t, err := measure(len(voters), func(i int) error {
		body := fmt.Sprintf(`{"option":%q}`, options[i%3])
		req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader([]byte(body)))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+voters[i].Token)
		res, err := clients[i].Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("vote %d: %d %s", i, res.StatusCode, msg)
		}
		return nil
	})
	return t, cpuTime() - cpu, err
}

func get(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.Body.Close()
}

// loadAverage is the machine's 1-minute load average: other work on the
// same cores shows in the figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// newClients returns an HTTP client per voter: with conns 0 each has its
// own transport and so its own keep-alive connection, as every tablet
// has; otherwise they share one transport of at most conns connections.
func newClients(n, conns int) ([]*http.Client, func()) {
	clients := make([]*http.Client, n)
	var trs []*http.Transport
	if conns > 0 {
		tr := &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}
		trs = append(trs, tr)
		for i := range clients {
			clients[i] = &http.Client{Transport: tr}
		}
	} else {
		for i := range clients {
			tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
			trs = append(trs, tr)
			clients[i] = &http.Client{Transport: tr}
		}
	}
	return clients, func() {
		for _, tr := range trs {
			tr.CloseIdleConnections()
		}
	}
}
