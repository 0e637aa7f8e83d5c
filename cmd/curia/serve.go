package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/curia/curia/internal/app"
)

// newFlags makes a FlagSet for one command with Curia's common flags bound
// to cfg; flags override the environment.
func newFlags(e env, name, summary string, cfg *app.Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: curia %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
		fmt.Fprint(e.stderr, "\n"+app.Env)
	}
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (CURIA_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "db", cfg.DatabaseURL, "database URL (CURIA_DATABASE_URL)")
	return fs
}

// loadConfig reads the environment, then the flags, then validates.
func loadConfig(e env, name, summary string, args []string, extra func(*flag.FlagSet, *app.Config)) (app.Config, error) {
	cfg, err := app.FromEnv(e.getenv)
	if err != nil {
		return app.Config{}, usageError{err.Error()}
	}
	fs := newFlags(e, name, summary, &cfg)
	if extra != nil {
		extra(fs, &cfg)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return app.Config{}, err
		}
		return app.Config{}, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return app.Config{}, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := cfg.Validate(); err != nil {
		return app.Config{}, usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return cfg, nil
}

func cmdServe(ctx context.Context, e env, args []string, demo bool) error {
	name, summary := "serve", "Run the Curia server."
	if demo {
		name, summary = "demo", "Run the Curia server with a demo meeting and demo users (data in ./data-demo unless set)."
	}
	cfg, err := loadConfig(e, name, summary, args, func(fs *flag.FlagSet, c *app.Config) {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (CURIA_ADDR)")
		if demo && e.getenv("CURIA_DATA_DIR") == "" {
			c.DataDir = "data-demo"
			fs.Lookup("data").DefValue = c.DataDir
			_ = fs.Set("data", c.DataDir)
		}
	})
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, e.stderr)
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		_ = db.Close()
		return err
	}
	defer a.Close()
	if demo {
		if err := seedDemo(ctx, a, e.stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(e.stdout, "Curia is listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect), "data_dir", cfg.DataDir)
	return a.Serve(ctx, ln)
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e, "migrate", "Bring the database schema up to date, then exit.", args, nil)
	if err != nil {
		return err
	}
	db, err := app.Open(ctx, cfg, app.NewLogger(cfg, e.stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "%s database is up to date\n", db.Dialect)
	return nil
}
