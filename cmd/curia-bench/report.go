package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"
)

// latency summarises publish-to-arrival times.
type latency struct {
	p50, p90, p99, max time.Duration
}

func summarise(all []time.Duration) latency {
	if len(all) == 0 {
		return latency{}
	}
	slices.Sort(all)
	at := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	return latency{p50: at(0.50), p90: at(0.90), p99: at(0.99), max: all[len(all)-1]}
}

// collect adds up the page turns first..last the clients saw, and returns
// their latencies. A client that did not connect counts its turns as
// missing.
func collect(r *result, clients []*benchClient, sent sendTimes, first, last int) []time.Duration {
	var all []time.Duration
	want := last - first + 1
	for _, c := range clients {
		n := 0
		for p := first; p <= last; p++ {
			if c.pages[p] != 0 {
				all = append(all, time.Duration(c.pages[p]-sent[p].Load()))
				n++
			}
		}
		r.received += n
		r.dups += c.dups
		r.outOfOrder += c.ooo
		r.gaps += c.gaps
		r.seqDups += c.seqDups
		if c.err != nil && n < want {
			r.failed++
			r.failure = c.err.Error()
		}
	}
	r.missing = r.clients*want - r.received
	r.lat = summarise(all)
	return all
}

// stamped returns the latencies of the page turns first..last to the
// clients' sockets (kernel receive time), where the kernel stamped them.
func stamped(clients []*benchClient, sent sendTimes, first, last int) []time.Duration {
	var all []time.Duration
	for _, c := range clients {
		for p := first; p <= last; p++ {
			if c.pages[p] != 0 && c.pagesRx[p] != 0 {
				all = append(all, time.Duration(c.pagesRx[p]-sent[p].Load()))
			}
		}
	}
	return all
}

func (r result) cpuPerDelivery() time.Duration {
	if r.received == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.received)
}

func report(w io.Writer, cfg fanoutConfig, results []result) {
	fmt.Fprintf(w, "fan-out: %d clients, %d events every %v, %d round(s), %d CPUs, %s, database in %s\n\n",
		cfg.clients, cfg.events, cfg.interval, cfg.rounds, runtime.NumCPU(), runtime.Version(), cfg.dbdir)
	fmt.Fprintf(w, "%-6s %9s %9s %9s %8s %5s %5s %5s %10s %9s %11s %8s %9s\n", "mode", "p50", "p99", "max",
		"received", "lost", "dup", "ooo", "cpu/deliv", "rss/conn", "go-mem/conn", "gor/conn", "connect")
	for _, r := range results {
		row(w, r.mode, r)
	}
	for _, r := range results {
		if r.failed > 0 {
			fmt.Fprintf(w, "%s: %d clients lost their connection, e.g. %s\n", r.mode, r.failed, r.failure)
		}
		if r.gaps+r.seqDups > 0 {
			fmt.Fprintf(w, "%s: %d sequenced messages skipped, %d seen twice or backwards\n", r.mode, r.gaps, r.seqDups)
		}
		if r.setupDrops+r.runDrops > 0 {
			fmt.Fprintf(w, "%s dropped slow clients: %.0f while joining, %.0f while publishing\n", r.mode, r.setupDrops, r.runDrops)
		}
	}
	bare, haveBare := combine(results, "bare", 0.5)
	bestBare, _ := combine(results, "bare", 0)
	if cfg.rounds > 1 {
		// "~" is the median of the rounds, "^" the best of each figure
		// (the round least disturbed by other load); lost, dup, ooo summed.
		fmt.Fprintln(w)
		for _, mode := range cfg.modes {
			if m, ok := combine(results, mode, 0.5); ok {
				row(w, mode+"~", m)
			}
		}
		for _, mode := range cfg.modes {
			if m, ok := combine(results, mode, 0); ok {
				row(w, mode+"^", m)
			}
		}
	}
	if !haveBare {
		return
	}
	for _, mode := range cfg.modes {
		if mode == "bare" {
			continue
		}
		med, _ := combine(results, mode, 0.5)
		best, _ := combine(results, mode, 0)
		for _, c := range []struct {
			label      string
			ours, bare result
		}{{"median", med, bare}, {"best", best, bestBare}} {
			fmt.Fprintf(w, "\n%s / bare (%s): p50 %.2f×, p99 %.2f× (target ≤ 1.2×), CPU/delivery %.2f× (target ≤ 1.3×)", mode, c.label,
				ratio(c.ours.lat.p50, c.bare.lat.p50), ratio(c.ours.lat.p99, c.bare.lat.p99),
				ratio(c.ours.cpuPerDelivery(), c.bare.cpuPerDelivery()))
		}
		fmt.Fprintf(w, "\n%s: %d lost, %d duplicate, %d out of order, %d seq gaps (target 0); %.1f KB RSS per idle connection (target ≤ 32 KB)\n",
			mode, med.missing, med.dups, med.outOfOrder, med.gaps+med.seqDups, med.rssPerConn/1024)
	}
}

func row(w io.Writer, label string, r result) {
	fmt.Fprintf(w, "%-6s %9s %9s %9s %8d %5d %5d %5d %10s %8.1fK %10.1fK %8.1f %9s\n", label,
		r.lat.p50.Round(time.Microsecond), r.lat.p99.Round(time.Microsecond), r.lat.max.Round(time.Microsecond),
		r.received, r.missing, r.dups, r.outOfOrder, r.cpuPerDelivery().Round(10*time.Nanosecond),
		r.rssPerConn/1024, r.memPerCon/1024, r.goroutinesPerConn, r.connectTime.Round(time.Millisecond))
}

// combine sums up the rounds of one mode: each figure at quantile q of
// the rounds (0.5 the median, 0 the best), and the sum of lost, duplicate
// and out-of-order receipts.
func combine(results []result, mode string, q float64) (result, bool) {
	var rs []result
	for _, r := range results {
		if r.mode == mode {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return result{}, false
	}
	m := rs[0]
	m.lat.p50 = pick(rs, q, func(r result) float64 { return float64(r.lat.p50) }).lat.p50
	m.lat.p99 = pick(rs, q, func(r result) float64 { return float64(r.lat.p99) }).lat.p99
	m.lat.max = pick(rs, q, func(r result) float64 { return float64(r.lat.max) }).lat.max
	perDelivery := pick(rs, q, func(r result) float64 { return float64(r.cpuPerDelivery()) })
	m.cpu, m.received = perDelivery.cpu, perDelivery.received
	m.rssPerConn = pick(rs, q, func(r result) float64 { return r.rssPerConn }).rssPerConn
	m.memPerCon = pick(rs, q, func(r result) float64 { return r.memPerCon }).memPerCon
	m.connectTime = pick(rs, q, func(r result) float64 { return float64(r.connectTime) }).connectTime
	m.missing, m.dups, m.outOfOrder, m.gaps, m.seqDups = 0, 0, 0, 0, 0
	for _, r := range rs {
		m.missing += r.missing
		m.dups += r.dups
		m.outOfOrder += r.outOfOrder
		m.gaps += r.gaps
		m.seqDups += r.seqDups
	}
	return m, true
}

// pick returns the round at quantile q of key (the lower one of two).
func pick(rs []result, q float64, key func(result) float64) result {
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(key(a), key(b)) })
	return sorted[int(q*float64(len(sorted)-1))]
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
