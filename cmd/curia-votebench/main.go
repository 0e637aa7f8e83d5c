// Command curia-votebench measures voting under load: N delegates vote at
// the same moment through the HTTP API of a real in-process Curia server
// on loopback, and every vote must come back acknowledged and be counted.
// As a same-run baseline it times a bare group-commit INSERT loop on the
// same database, the floor that the vote path builds on.
//
//	go run ./cmd/curia-votebench -n 1000,5000 -db sqlite
//	go run ./cmd/curia-votebench -n 1000,5000 -db postgres://user@127.0.0.1:5432/db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "curia-votebench:", err)
		}
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	sizes   []int
	db      string // "sqlite" or a postgres:// URL
	conns   int
	rounds  int
	within  time.Duration
	profile string
}

func parse(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("curia-votebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("n", "1000,5000", "comma-separated numbers of simultaneous voters")
	var o options
	fs.StringVar(&o.db, "db", "sqlite", "sqlite, or a postgres:// URL (a fresh schema is made and dropped)")
	fs.IntVar(&o.conns, "conns", 0, "most HTTP connections the load generator opens (0: one per voter, like tablets)")
	fs.IntVar(&o.rounds, "rounds", 3, "runs per size; the report shows each")
	fs.DurationVar(&o.within, "timeout", 5*time.Minute, "longest time one run (setup included) may take")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the vote storm to this file (the last run's)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 20000 {
			return o, fmt.Errorf("-n takes whole numbers from 1 to 20000, not %q", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.db != "sqlite" && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
		return o, errors.New("-db must be sqlite or a postgres:// URL")
	}
	if o.rounds < 1 || o.rounds > 20 || o.conns < 0 {
		return o, errors.New("-rounds must be from 1 to 20 and -conns 0 or more")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s, GOMAXPROCS %d\n\n", backendName(o.db), gomaxprocs())
	fmt.Fprintln(stdout, header)
	for _, n := range o.sizes {
		for round := range o.rounds {
			rctx, cancel := context.WithTimeout(ctx, o.within)
			r, err := oneRun(rctx, o, n)
			cancel()
			if err != nil {
				return fmt.Errorf("n=%d round %d: %w", n, round+1, err)
			}
			fmt.Fprintln(stdout, r.line(), "| "+loadAverage())
		}
	}
	return nil
}
