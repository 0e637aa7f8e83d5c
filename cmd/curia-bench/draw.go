package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// drawConfig is what one draw run measures (issue 7's performance).
type drawConfig struct {
	drawers, followers int
	rate               int           // shared strokes per second per drawer
	duration           time.Duration // of each phase
	interval           time.Duration // between page turns
	perRequest         int           // strokes per POST at most (the tablet batches a backlog)
	lockstep           bool          // every drawer's strokes at the same instants
	rounds             int
	dbdir              string
}

func parseDraw(args []string) (drawConfig, error) {
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	drawers := fs.Int("drawers", 50, "delegates drawing shared strokes at once")
	followers := fs.Int("followers", 500, "tablets following the presenter (not drawing)")
	rate := fs.Int("rate", 10, "shared strokes per second per drawer")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase (quiet, then drawing)")
	interval := fs.Duration("interval", 200*time.Millisecond, "time between page turns")
	perRequest := fs.Int("per-request", 1, "strokes a drawer collects before it sends them in one POST; one that fell behind sends its backlog in one batch of up to 50, as the tablet app does")
	lockstep := fs.Bool("lockstep", false, "start every drawer at the same instant, so that all their strokes come in one burst per stroke interval (and, at the defaults, every page turn falls on a burst); by default their starts are spread evenly over one stroke interval, as people drawing on their own do")
	rounds := fs.Int("rounds", 1, "quiet + drawing phase pairs")
	dbdir := fs.String("dbdir", defaultDBDir(), "directory for the app's SQLite database and files")
	if err := fs.Parse(args); err != nil {
		return drawConfig{}, err
	}
	cfg := drawConfig{drawers: *drawers, followers: *followers, rate: *rate, duration: *duration, interval: *interval,
		perRequest: *perRequest, lockstep: *lockstep, rounds: *rounds, dbdir: *dbdir}
	if cfg.drawers < 1 || cfg.drawers > 1000 || cfg.followers < 1 || cfg.followers > 10000 || cfg.rate < 1 || cfg.rate > 100 ||
		cfg.duration < time.Second || cfg.duration > 10*time.Minute || cfg.interval < 10*time.Millisecond ||
		cfg.perRequest < 1 || cfg.perRequest > 50 || cfg.rounds < 1 || cfg.rounds > 10 {
		return cfg, errors.New("need 1 ≤ drawers ≤ 1000, 1 ≤ followers ≤ 10000, 1 ≤ rate ≤ 100, 1s ≤ duration ≤ 10m, interval ≥ 10ms, 1 ≤ per-request ≤ 50, 1 ≤ rounds ≤ 10")
	}
	if turns := int(cfg.duration / cfg.interval); 2*turns*cfg.rounds+1 > 2000 {
		return cfg, errors.New("too many page turns: lengthen -interval or shorten -duration")
	}
	return cfg, nil
}

// phaseResult is one phase's figures.
type phaseResult struct {
	name                   string
	round                  int
	first, last            int // the pages turned
	page                   result
	lats                   []time.Duration // every follower's page-sync latency, as its reader saw it
	atSocket               []time.Duration // the same, to the follower's socket (kernel receive time)
	handOff                []time.Duration // per page turn, from the bench's call to the write of the request
	strokesSent, strokesOK int
	strokesFailed          int
	failure                string
	post                   latency // drawers' POST round trips
	cpu                    time.Duration
	wall                   time.Duration
}

// drawStats gathers what the drawers saw.
type drawStats struct {
	mu      sync.Mutex
	sent    int
	ok      int
	failed  int
	failure string
	post    []time.Duration
}

func draw(ctx context.Context, cfg drawConfig, stdout io.Writer) error {
	srv, err := startChild(ctx, "app", cfg.dbdir)
	if err != nil {
		return err
	}
	defer srv.stop()
	turns := int(cfg.duration / cfg.interval)
	pages := 2*turns*cfg.rounds + 1
	var seed seedResult
	if err := srv.postJSON(fmt.Sprintf("/debug/seed?users=%d&pages=%d", cfg.drawers+cfg.followers, pages), &seed); err != nil {
		return err
	}
	settle(srv, time.Minute)
	start := time.Now()
	perDrawer := cfg.rounds * strokesPerPhase(cfg)
	followers, err := connectAll(ctx, target{addr: srv.addr, meeting: seed.Meeting, tokens: seed.Tokens[cfg.drawers:], readBuf: 16 << 10,
		drawers: cfg.drawers, perDrawer: perDrawer}, cfg.followers, pages, 0)
	defer closeAll(followers)
	if err != nil {
		return err
	}
	// The drawers' tablets are in the meeting too, and receive everything.
	tablets, err := connectAll(ctx, target{addr: srv.addr, meeting: seed.Meeting, tokens: seed.Tokens[:cfg.drawers], readBuf: 16 << 10,
		drawers: cfg.drawers, perDrawer: perDrawer}, cfg.drawers, pages, 0)
	defer closeAll(tablets)
	if err != nil {
		return err
	}
	connect := time.Since(start)
	settle(srv, time.Minute)
	var phases []*phaseResult
	sent, called := make(sendTimes, pages+1), make(sendTimes, pages+1)
	next := 1
	for round := range cfg.rounds {
		for _, drawing := range []bool{false, true} {
			ph := &phaseResult{name: "quiet", round: round, first: next, last: next + turns - 1}
			if drawing {
				ph.name = "drawing"
			}
			next += turns
			if err := runPhase(ctx, cfg, srv, seed, sent, called, ph, drawing); err != nil {
				return err
			}
			phases = append(phases, ph)
		}
	}
	var end memStats
	_ = srv.get("/debug/mem", &end)
	closeAll(followers)
	closeAll(tablets)
	var strokes []time.Duration
	var sc strokeCounts
	var gaps int64
	for _, c := range followers {
		strokes = append(strokes, c.strokes...)
		sc.add(c)
		gaps += c.gaps + c.seqDups
	}
	var own strokeCounts // the drawers' tablets get every stroke too
	for _, c := range tablets {
		own.add(c)
		gaps += c.gaps + c.seqDups
	}
	for _, ph := range phases {
		ph.page = result{mode: ph.name, clients: cfg.followers}
		ph.lats = collect(&ph.page, followers, sent, ph.first, ph.last)
		ph.atSocket = stamped(followers, sent, ph.first, ph.last)
		for p := ph.first; p <= ph.last; p++ {
			ph.handOff = append(ph.handOff, time.Duration(sent[p].Load()-called[p].Load()))
		}
	}
	drawReport(stdout, cfg, phases, summarise(strokes), sc, connect, end.SlowDrops)
	ok := 0
	for _, ph := range phases {
		ok += ph.strokesOK
	}
	fmt.Fprintf(stdout, "the drawers' own tablets: %d of %d strokes (%d lost, %d duplicate, %d out of order)\n",
		own.distinct, ok*len(tablets), ok*len(tablets)-own.distinct, own.dups, own.ooo)
	fmt.Fprintf(stdout, "sequenced messages the followers and tablets missed, saw twice or out of order: %d (target 0)\n", gaps)
	return nil
}

// strokeCounts sums what clients saw of the strokes.
type strokeCounts struct {
	delivered, distinct, dups, ooo, bad, msgs int
}

func (s *strokeCounts) add(c *benchClient) {
	s.delivered += len(c.strokes)
	s.msgs += c.strokeMsgs
	s.dups += c.strokeDups
	s.ooo += c.strokeOOO
	s.bad += c.strokeBad
	for _, w := range c.strokeSeen {
		s.distinct += bits.OnesCount64(w)
	}
}

// strokesPerPhase is how many strokes each drawer sends in a drawing phase.
func strokesPerPhase(cfg drawConfig) int {
	return int(cfg.duration / (time.Second / time.Duration(cfg.rate)))
}

// runPhase turns a page every interval for the phase's duration, and in
// a drawing phase has every drawer send shared strokes meanwhile.
func runPhase(ctx context.Context, cfg drawConfig, srv *child, seed seedResult, sent, called sendTimes, ph *phaseResult, drawing bool) error {
	var cpu0, cpu1 cpuTime
	if err := srv.get("/debug/cpu", &cpu0); err != nil {
		return err
	}
	start := time.Now()
	var st drawStats
	var wg sync.WaitGroup
	if drawing && profilePhase("draw") {
		profileCPU(srv, "draw")
	}
	if drawing {
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.drawers}}
		for d := range cfg.drawers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				drawer(ctx, client, srv, seed, d, ph.round*strokesPerPhase(cfg), cfg, &st)
			}()
		}
	}
	err := turnPages(ctx, sent, called, ph.first, ph.last, cfg.interval, func(page int) (int64, error) { return srv.turnPage(seed, page) })
	wg.Wait()
	time.Sleep(time.Second) // the last deliveries arrive
	ph.wall = time.Since(start)
	if err != nil {
		return err
	}
	if err := srv.get("/debug/cpu", &cpu1); err != nil {
		return err
	}
	ph.cpu = cpu1.User + cpu1.Sys - cpu0.User - cpu0.Sys
	ph.strokesSent, ph.strokesOK, ph.strokesFailed, ph.failure = st.sent, st.ok, st.failed, st.failure
	ph.post = summarise(st.post)
	return nil
}

// drawer sends shared ink strokes at cfg.rate for cfg.duration through
// POST /documents/{id}/annotations, as the tablet app does, each with an
// id it made (carrying the send time, for the followers' clocks, and its
// number, base + n, for their checks). A drawer that falls behind sends
// its backlog in one batch.
//
// Drawer d starts d/drawers of a stroke interval into the phase, unless
// lockstep: fifty people do not lift their pens in the same millisecond,
// and in lockstep every stroke of the room arrives in one burst; at the
// defaults (a stroke every 100 ms, a page turn every 200 ms, both from
// the start of the phase) every page turn falls on a burst.
func drawer(ctx context.Context, client *http.Client, srv *child, seed seedResult, d, base int, cfg drawConfig, st *drawStats) {
	every := time.Second / time.Duration(cfg.rate)
	start := time.Now()
	if !cfg.lockstep {
		start = start.Add(every * time.Duration(d) / time.Duration(cfg.drawers))
		time.Sleep(time.Until(start))
	}
	total := strokesPerPhase(cfg)
	path := "http://" + srv.addr + "/api/v1/documents/" + seed.Document + "/annotations"
	token := seed.Tokens[d]
	for n := 0; n < total && ctx.Err() == nil && time.Since(start) < cfg.duration+5*time.Second; {
		due := min(total, int(time.Since(start)/every)+1)
		if due <= n || due-n < cfg.perRequest && due < total {
			// Nothing drawn yet, or fewer strokes than a request carries.
			time.Sleep(time.Until(start.Add(time.Duration(due) * every)))
			continue
		}
		k := min(due-n, 50)
		body := strokeBatch(d, base+n, k, time.Now().UnixNano())
		t0 := time.Now()
		status, err := post(client, path, token, body)
		rtt := time.Since(t0)
		st.mu.Lock()
		st.sent += k
		st.post = append(st.post, rtt)
		if err == nil && (status == http.StatusCreated || status == http.StatusOK) {
			st.ok += k
		} else {
			st.failed += k
			if err != nil {
				st.failure = err.Error()
			} else {
				st.failure = "status " + strconv.Itoa(status)
			}
		}
		st.mu.Unlock()
		n += k
	}
}

func post(client *http.Client, url, token string, body []byte) (int, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// strokeBatch encodes k shared ink strokes of drawer d, numbered from n:
// 24 points each, a short pen movement on page 1.
func strokeBatch(d, n, k int, sent int64) []byte {
	b := []byte(`{"annotations":[`)
	for j := range k {
		if j > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":"s%dx%dx%d","page":1,"kind":"ink","shared":true,"data":{"colour":"#d0021b","width":2,"strokes":[[`, sent, d, n+j)
		x, y := 60+float64((d*37+n+j)%400), 80+float64((d*53+n+j)%500)
		for p := range 24 {
			if p > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, "[%.1f,%.1f]", x+float64(p)*2.5, y+float64(p%5)*1.5)
		}
		b = append(b, "]]}}"...)
	}
	return append(b, "]}"...)
}

func drawReport(w io.Writer, cfg drawConfig, phases []*phaseResult, strokes latency, sc strokeCounts, connect time.Duration, drops float64) {
	starts := "spread over a stroke interval"
	if cfg.lockstep {
		starts = "in lockstep"
	}
	fmt.Fprintf(w, "draw: %d drawers × %d shared strokes/s (starts %s), %d followers (+ the drawers' own tablets), phases of %v, a page turn every %v, %d round(s), %d CPUs, %s, database in %s; all joined in %v\n\n",
		cfg.drawers, cfg.rate, starts, cfg.followers, cfg.duration, cfg.interval, cfg.rounds, runtime.NumCPU(), runtime.Version(), cfg.dbdir, connect.Round(time.Millisecond))
	fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s %6s %5s %8s %8s %8s %9s %9s %7s\n", "phase", "page p50", "page p99", "page max",
		"sock p50", "sock p99", "lost", "dup", "strokes", "ok", "failed", "POST p50", "POST p99", "CPU")
	okStrokes := 0
	var quiet, drawing []*phaseResult
	for _, ph := range phases {
		r := ph.page
		sock := summarise(ph.atSocket)
		fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s %6d %5d %8d %8d %8d %9s %9s %6.0f%%\n", ph.name,
			r.lat.p50.Round(10*time.Microsecond), r.lat.p99.Round(10*time.Microsecond), r.lat.max.Round(10*time.Microsecond),
			sock.p50.Round(10*time.Microsecond), sock.p99.Round(10*time.Microsecond), r.missing, r.dups+r.outOfOrder, ph.strokesSent, ph.strokesOK, ph.strokesFailed,
			ph.post.p50.Round(10*time.Microsecond), ph.post.p99.Round(10*time.Microsecond), 100*ph.cpu.Seconds()/ph.wall.Seconds())
		if ph.failure != "" {
			fmt.Fprintf(w, "  %s: strokes refused, e.g. %s\n", ph.name, ph.failure)
		}
		okStrokes += ph.strokesOK
		if ph.name == "quiet" {
			quiet = append(quiet, ph)
		} else {
			drawing = append(drawing, ph)
		}
	}
	want := okStrokes * cfg.followers
	fmt.Fprintf(w, "\nshared strokes to the followers: %d of %d delivered (%d lost), send → arrival p50 %v, p99 %v, max %v (target p99 ≤ 100 ms)\n",
		sc.distinct, want, want-sc.distinct, strokes.p50.Round(10*time.Microsecond), strokes.p99.Round(10*time.Microsecond), strokes.max.Round(10*time.Microsecond))
	fmt.Fprintf(w, "strokes the followers saw twice: %d, out of their drawer's order: %d, not from this run: %d (target 0)\n", sc.dups, sc.ooo, sc.bad)
	if sc.msgs > 0 {
		fmt.Fprintf(w, "stroke messages: %d per follower, %.1f strokes each\n", sc.msgs/max(cfg.followers, 1), float64(sc.delivered)/float64(sc.msgs))
	}
	// Every follower's every page turn of the phases of a kind, together:
	// a page turn delayed by something else on the machine (a collection
	// in the clients' process, a host hiccup) is one of 75 a phase and
	// sets a phase's p99 alone, but not the p99 of all three phases.
	lats := func(ph *phaseResult) []time.Duration { return ph.lats }
	atSocket := func(ph *phaseResult) []time.Duration { return ph.atSocket }
	q, d := pooled(quiet, lats), pooled(drawing, lats)
	fmt.Fprintf(w, "page-sync of the followers, every phase's deliveries together: p50 %v quiet, %v while drawing: %.2f×; p90 %v, %v: %.2f×; p99 %v quiet, %v while drawing: %.2f× (target ≤ 1.2×)\n",
		q.p50.Round(10*time.Microsecond), d.p50.Round(10*time.Microsecond), ratio(d.p50, q.p50),
		q.p90.Round(10*time.Microsecond), d.p90.Round(10*time.Microsecond), ratio(d.p90, q.p90),
		q.p99.Round(10*time.Microsecond), d.p99.Round(10*time.Microsecond), ratio(d.p99, q.p99))
	// The same turns when they reached the followers' sockets: without the
	// time a bench reader, one of hundreds on these cores, waited to run,
	// unless more data came before it read (rxstamp_linux.go): then the
	// later arrival, so while drawing these are upper bounds.
	if q, d := pooled(quiet, atSocket), pooled(drawing, atSocket); q.p50 > 0 && d.p50 > 0 {
		stampedN, all := 0, 0
		for _, ph := range phases {
			stampedN, all = stampedN+len(ph.atSocket), all+len(ph.lats)
		}
		fmt.Fprintf(w, "page-sync to the followers' sockets (kernel receive time, %d of %d deliveries; late where more came before the read), together: p50 %v quiet, %v while drawing: %.2f×; p90 %v, %v: %.2f×; p99 %v quiet, %v while drawing: %.2f×\n",
			stampedN, all, q.p50.Round(10*time.Microsecond), d.p50.Round(10*time.Microsecond), ratio(d.p50, q.p50),
			q.p90.Round(10*time.Microsecond), d.p90.Round(10*time.Microsecond), ratio(d.p90, q.p90),
			q.p99.Round(10*time.Microsecond), d.p99.Round(10*time.Microsecond), ratio(d.p99, q.p99))
	}
	// Page-sync runs from the write of the chair's request, as a tablet
	// sends it; the bench's HTTP client took this long to get there.
	handOff := func(ph *phaseResult) []time.Duration { return ph.handOff }
	if q, d := pooled(quiet, handOff), pooled(drawing, handOff); q.max > 0 {
		fmt.Fprintf(w, "the chair's requests, from the call to their write (the bench's HTTP client, not counted above): p50 %v quiet, %v while drawing; p99 %v, %v; max %v, %v\n",
			q.p50.Round(10*time.Microsecond), d.p50.Round(10*time.Microsecond), q.p99.Round(10*time.Microsecond), d.p99.Round(10*time.Microsecond),
			q.max.Round(10*time.Microsecond), d.max.Round(10*time.Microsecond))
	}
	mq, md := medianP99(quiet), medianP99(drawing)
	fmt.Fprintf(w, "page-sync p99, the median of the phases' own: %v quiet, %v while drawing: %.2f×\n",
		mq.Round(10*time.Microsecond), md.Round(10*time.Microsecond), ratio(md, mq))
	if drops > 0 {
		fmt.Fprintf(w, "the hub dropped %.0f slow clients\n", drops)
	}
}

// pooled summarises page-sync latencies of phases together.
func pooled(phs []*phaseResult, of func(*phaseResult) []time.Duration) latency {
	var all []time.Duration
	for _, ph := range phs {
		all = append(all, of(ph)...)
	}
	return summarise(all)
}

// medianP99 is the median over phases of their page-sync p99.
func medianP99(phs []*phaseResult) time.Duration {
	var all []time.Duration
	for _, ph := range phs {
		all = append(all, ph.page.lat.p99)
	}
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	return all[(len(all)-1)/2]
}
