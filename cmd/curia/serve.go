package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/web"
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
	cfg, err := configFromEnv(e.getenv)
	if err != nil {
		return app.Config{}, usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
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
	fromFlag := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { fromFlag[f.Name] = true })
	if err := validateConfig(&cfg, fromFlag); err != nil {
		return app.Config{}, usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	return cfg, nil
}

// configFromEnv is app.FromEnv, except that a bad CURIA_TRUSTED_PROXIES
// entry is quoted as the operator wrote it (FromEnv quotes it with the
// "/32" or "/128" it tried appended).
func configFromEnv(getenv func(string) string) (app.Config, error) {
	const proxiesVar = "CURIA_TRUSTED_PROXIES"
	var bad []error
	for _, p := range strings.Split(getenv(proxiesVar), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		only := func(k string) string {
			if k == proxiesVar {
				return p
			}
			return ""
		}
		if _, err := app.FromEnv(only); err != nil {
			bad = append(bad, fmt.Errorf("%s: %q is not an IP address or CIDR (like 10.0.0.7 or 10.0.0.0/24)", proxiesVar, p))
		}
	}
	if len(bad) == 0 {
		return app.FromEnv(getenv)
	}
	_, err := app.FromEnv(func(k string) string { // the other variables' mistakes too
		if k == proxiesVar {
			return ""
		}
		return getenv(k)
	})
	return app.Config{}, errors.Join(append([]error{err}, bad...)...)
}

// validateConfig fills the defaults and checks the values (Config.Validate)
// with each mistake named by its variable, or by its flag when a flag
// (fromFlag, by flag name) set the value: Validate's own messages speak
// of "log level", "listen address" and the like. Each value is checked
// alone, in a Config otherwise empty (whose defaults are valid).
func validateConfig(cfg *app.Config, fromFlag map[string]bool) error {
	var errs []error
	if (&app.Config{}).Validate() == nil {
		check := func(variable, flagName string, probe app.Config) {
			err := probe.Validate()
			if err == nil {
				return
			}
			name := variable
			if flagName != "" && fromFlag[flagName] {
				name = "--" + flagName
			}
			for _, msg := range strings.Split(err.Error(), "\n") {
				if strings.Contains(msg, variable) {
					errs = append(errs, errors.New(strings.ReplaceAll(msg, variable, name)))
				} else {
					errs = append(errs, fmt.Errorf("%s: %s", name, msg))
				}
			}
		}
		check("CURIA_ADDR", "addr", app.Config{Addr: cfg.Addr})
		check("CURIA_DATABASE_URL", "db", app.Config{DatabaseURL: cfg.DatabaseURL})
		check("CURIA_LOG_LEVEL", "", app.Config{LogLevel: cfg.LogLevel})
		check("CURIA_LOG_FORMAT", "", app.Config{LogFormat: cfg.LogFormat})
		check("CURIA_ADMIN_PASSWORD", "", app.Config{AdminPassword: cfg.AdminPassword})
		for _, o := range cfg.AllowedOrigins {
			check("CURIA_ALLOWED_ORIGINS", "", app.Config{AllowedOrigins: []string{o}})
		}
	}
	err := cfg.Validate() // fills the defaults; reports what the checks above do not cover
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return err
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
	defer app.StartHeapFloor(cfg, log, e.getenv)()
	if demo && cfg.AdminPassword != "" {
		// The demo prints its logins, admin's among them, all with the
		// demo password: an operator's CURIA_ADMIN_PASSWORD would make
		// that line untrue for admin.
		log.Warn("the demo ignores CURIA_ADMIN_PASSWORD: its admin signs in with the demo password, like the other demo users")
		cfg.AdminPassword = ""
	}
	// Bind first: a taken port (a server already running) fails before the
	// database is opened, let alone seeded.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close() // a.Serve closes it too; until then, every return must
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
	} else {
		warnNoAdmin(ctx, a)
	}
	fmt.Fprintf(e.stdout, "Curia is listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect), "data_dir", cfg.DataDir)
	return a.Serve(ctx, ln)
}

// warnNoAdmin logs a warning when no enabled administrator exists: on a
// fresh database without CURIA_ADMIN_PASSWORD nobody can sign in to
// make the first users, and the server would otherwise start without a word.
func warnNoAdmin(ctx context.Context, a *app.App) {
	users, err := a.Accounts.ListUsers(ctx, web.Actor{})
	if err != nil {
		a.Log.Warn("could not look for an administrator", "err", err)
		return
	}
	for _, u := range users {
		if u.IsAdmin && !u.Disabled {
			return
		}
	}
	a.Log.Warn("no enabled administrator: nobody can sign in to manage users; set CURIA_ADMIN_PASSWORD " +
		"(creates user admin at the next start) or run `curia user add --admin --username NAME --full-name \"Full Name\"`")
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
