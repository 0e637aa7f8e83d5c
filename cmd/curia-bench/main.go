// Command curia-bench measures Curia's live fan-out on loopback.
//
//	curia-bench fanout -n 1000 -m 50 [-modes bare,app]
//
// runs, for each server kind (a bare gorilla broadcaster; the realtime hub
// alone with a fake Authorizer and Snapshotter; the whole Curia app), a
// server in a child process ("fanout-server", so that its CPU and memory
// are its own), connects n websocket clients to one meeting from this
// process, turns the page m times (the app: as its chair, through the
// API), and reports latency from the turn to arrival, lost, duplicate and
// out-of-order receipts, server CPU per delivery and server memory per
// idle connection, with the figures as ratios to the bare ones.
//
//	curia-bench draw -drawers 50 -followers 500 -rate 10 -duration 10s
//
// runs the app with drawers+followers delegates in one meeting: a quiet
// phase in which the chair turns pages, then a drawing phase in which the
// drawers also send shared ink strokes through the annotation API, and
// reports stroke delivery latency to the followers and page-sync latency
// in both phases.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/curia/curia/docs/pdf"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "curia-bench:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  curia-bench fanout [-n clients] [-m events] [-interval d] [-rounds r] [-modes bare,hub,app] [-dbdir dir]
  curia-bench draw [-drawers n] [-followers n] [-rate r] [-duration d] [-interval d] [-per-request k] [-rounds r] [-dbdir dir]
  curia-bench fanout-server -mode bare|hub|app [-dbdir dir]   (started by fanout and draw)
  curia-bench pdf-worker   (started by the app server)`

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	raiseFileLimit()
	switch args[0] {
	case "fanout":
		cfg, err := parseFanout(args[1:])
		if err != nil {
			return err
		}
		return fanout(ctx, cfg, stdout)
	case "draw":
		cfg, err := parseDraw(args[1:])
		if err != nil {
			return err
		}
		return draw(ctx, cfg, stdout)
	case "pdf-worker": // the app server's PDF inspection, as curia pdf-worker
		return pdf.ServeWorker(ctx, stdin, stdout)
	case "fanout-server":
		fs := flag.NewFlagSet("fanout-server", flag.ContinueOnError)
		mode := fs.String("mode", "hub", "bare, hub or app")
		dbdir := fs.String("dbdir", "", "directory for the hub's SQLite database")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serve(ctx, *mode, *dbdir, stdin, stdout)
	default:
		return errors.New(usage)
	}
}

// fanoutConfig is what one fanout run measures.
type fanoutConfig struct {
	clients  int
	events   int
	interval time.Duration
	modes    []string
	dbdir    string
	rounds   int
}

func parseFanout(args []string) (fanoutConfig, error) {
	fs := flag.NewFlagSet("fanout", flag.ContinueOnError)
	n := fs.Int("n", 1000, "websocket clients in the meeting")
	m := fs.Int("m", 50, "page-turn events to publish")
	interval := fs.Duration("interval", 200*time.Millisecond, "time between page turns")
	modes := fs.String("modes", "bare,app", "servers to measure, in order: bare, hub (the hub alone, fake auth), app (the real Curia app)")
	dbdir := fs.String("dbdir", defaultDBDir(), "directory for the hub's SQLite database")
	rounds := fs.Int("rounds", 1, "times to measure each mode, interleaved; the report gives medians")
	if err := fs.Parse(args); err != nil {
		return fanoutConfig{}, err
	}
	cfg := fanoutConfig{clients: *n, events: *m, interval: *interval, dbdir: *dbdir, rounds: *rounds}
	for _, mode := range splitComma(*modes) {
		if mode != "bare" && mode != "hub" && mode != "app" {
			return cfg, fmt.Errorf("unknown mode %q", mode)
		}
		cfg.modes = append(cfg.modes, mode)
	}
	if cfg.clients < 1 || cfg.clients > 20000 || cfg.events < 1 || cfg.events > 10000 ||
		cfg.rounds < 1 || cfg.rounds > 20 || len(cfg.modes) == 0 {
		return cfg, errors.New("need 1 ≤ n ≤ 20000, 1 ≤ m ≤ 10000, 1 ≤ rounds ≤ 20 and a mode")
	}
	return cfg, nil
}

// defaultDBDir puts the database in memory-backed storage when there is
// some: the bench measures fan-out, not the disk's fsync.
func defaultDBDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
