package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// result is what one server kind measured in one round.
type result struct {
	mode                  string
	clients, events       int
	lat                   latency
	received, missing     int
	dups, outOfOrder      int
	cpu                   time.Duration // server CPU during the publish phase
	rssPerConn, memPerCon float64       // bytes per idle connection: RSS, Go heap+stacks
	goroutinesPerConn     float64
	connectTime           time.Duration
	setupDrops, runDrops  float64 // slow clients dropped while joining, while publishing
	gaps, seqDups         int64   // sequenced messages skipped, seen twice or backwards
	failed                int     // clients whose connection ended early
	failure               string  // one of their errors
}

// fanout measures the modes in turn, round after round (interleaved, so
// that a noisy neighbour hurts both alike), and prints the report.
func fanout(ctx context.Context, cfg fanoutConfig, stdout io.Writer) error {
	var results []result
	for round := 1; round <= cfg.rounds; round++ {
		for _, mode := range cfg.modes {
			r, err := measure(ctx, cfg, mode)
			if err != nil {
				return fmt.Errorf("%s: %w", mode, err)
			}
			results = append(results, r)
		}
	}
	report(stdout, cfg, results)
	return nil
}

// measure runs one server kind in a child process and drives it.
func measure(ctx context.Context, cfg fanoutConfig, mode string) (result, error) {
	res := result{mode: mode, clients: cfg.clients, events: cfg.events}
	srv, err := startChild(ctx, mode, cfg.dbdir)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	var base memStats
	if err := srv.get("/debug/mem", &base); err != nil {
		return res, err
	}
	tg := target{addr: srv.addr, meeting: "bench"}
	var seed seedResult
	if mode == "app" {
		if err := srv.postJSON(fmt.Sprintf("/debug/seed?users=%d&pages=%d", cfg.clients, cfg.events+1), &seed); err != nil {
			return res, err
		}
		tg.meeting, tg.tokens = seed.Meeting, seed.Tokens
		// One join storm first, then everyone leaves: it fills the
		// database's page cache, which belongs to the server, not to the
		// connections (SQLite keeps at most 2 MB per pooled connection),
		// and would otherwise be counted as memory per connection.
		warm, err := connectAll(ctx, tg, cfg.clients, cfg.events, cfg.events)
		closeAll(warm)
		if err != nil {
			return res, err
		}
		settle(srv, time.Minute)
		if err := srv.get("/debug/mem", &base); err != nil {
			return res, err
		}
	}
	if profilePhase("joins") {
		profileCPU(srv, mode)
	}
	start := time.Now()
	clients, err := connectAll(ctx, tg, cfg.clients, cfg.events, cfg.events)
	defer closeAll(clients)
	if err != nil {
		return res, err
	}
	res.connectTime = time.Since(start)
	if profiling() {
		saveContention(srv, mode)
	}
	settle(srv, time.Minute)
	idle, err := measureIdle(srv, &res, base)
	if err != nil {
		return res, err
	}
	var cpu0, cpu1 cpuTime
	if err := srv.get("/debug/cpu", &cpu0); err != nil {
		return res, err
	}
	if profilePhase("publish") {
		profileCPU(srv, mode)
	}
	sent, called := make(sendTimes, cfg.events+1), make(sendTimes, cfg.events+1)
	turn := func(page int) (int64, error) { return 0, srv.post(fmt.Sprintf("/debug/publish?page=%d", page)) }
	if mode == "app" {
		turn = func(page int) (int64, error) { return srv.turnPage(seed, page) }
	}
	if err := turnPages(ctx, sent, called, 1, cfg.events, cfg.interval, turn); err != nil {
		return res, err
	}
	waitAll(clients, 30*time.Second)
	if err := srv.get("/debug/cpu", &cpu1); err != nil {
		return res, err
	}
	res.cpu = cpu1.User + cpu1.Sys - cpu0.User - cpu0.Sys
	var end memStats
	if err := srv.get("/debug/mem", &end); err == nil {
		res.runDrops = end.SlowDrops - idle.SlowDrops
	}
	collect(&res, clients, sent, 1, cfg.events)
	return res, nil
}

// measureIdle records memory per idle connection against base.
func measureIdle(srv *child, res *result, base memStats) (memStats, error) {
	var idle memStats
	if err := srv.get("/debug/mem", &idle); err != nil {
		return idle, err
	}
	n := float64(res.clients)
	res.rssPerConn = float64(idle.RSS-base.RSS) / n
	res.memPerCon = float64(idle.HeapInuse+idle.StackInuse-base.HeapInuse-base.StackInuse) / n
	res.goroutinesPerConn = float64(idle.Goroutines-base.Goroutines) / n
	res.setupDrops = idle.SlowDrops
	return idle, nil
}

// settle waits, at most limit, until the server has been quiet (under 5%
// of a CPU) for half a second: joins and their presence messages are
// done, and what follows measures idle connections and page turns only.
func settle(srv *child, limit time.Duration) {
	const tick = 500 * time.Millisecond
	deadline := time.Now().Add(limit)
	var prev cpuTime
	_ = srv.get("/debug/cpu", &prev)
	for time.Now().Before(deadline) {
		time.Sleep(tick)
		var now cpuTime
		if srv.get("/debug/cpu", &now) != nil {
			return
		}
		used := now.User + now.Sys - prev.User - prev.Sys
		if used < tick/20 {
			return
		}
		prev = now
	}
}

// turnPages turns pages first..last, one every interval, noting when
// each was asked for (called) and sent: when turn says its request was
// written (the chair's socket), else when it was asked for.
func turnPages(ctx context.Context, sent, called sendTimes, first, last int, interval time.Duration, turn func(int) (int64, error)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for page := first; page <= last; page++ {
		at := time.Now().UnixNano()
		called[page].Store(at)
		wrote, err := turn(page)
		if err != nil {
			return err
		}
		if wrote <= 0 {
			wrote = at
		}
		sent[page].Store(wrote)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
