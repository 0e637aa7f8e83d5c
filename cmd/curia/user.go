package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
)

const userUsage = `usage: curia user add --username NAME --full-name "Full Name" [--admin]
       curia user passwd --username NAME
(the password is read from standard input, or asked for twice on a terminal)`

func cmdUser(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		args = []string{"add", "--help"}
	}
	if len(args) == 0 {
		return usageError{userUsage}
	}
	switch args[0] {
	case "add":
		return cmdUserAdd(ctx, e, args[1:])
	case "passwd":
		return cmdUserPasswd(ctx, e, args[1:])
	}
	return usageError{userUsage}
}

func cmdUserAdd(ctx context.Context, e env, args []string) error {
	var in account.NewUser
	cfg, err := loadConfig(e, "user add",
		"Create a user directly in the database. The password is read from the first line of standard input,\n"+
			"so it never shows in the process list or shell history; from a terminal it is asked for, twice, without\n"+
			"echo. The database must exist: `curia migrate` (or serve, or demo) creates it.",
		args, func(fs *flag.FlagSet, _ *app.Config) {
			fs.StringVar(&in.Username, "username", "", "login name (required)")
			fs.StringVar(&in.FullName, "full-name", "", "full name as shown to others (required)")
			fs.BoolVar(&in.IsAdmin, "admin", false, "make the user an administrator")
		})
	if err != nil {
		return err
	}
	if in.Username == "" || in.FullName == "" {
		return usageError{"--username and --full-name are required"}
	}
	// Everything that can be checked before anyone types a password: the
	// names, the database, and that the username is free.
	if err := in.CheckNames(); err != nil {
		return err
	}
	a, err := openExistingApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Accounts.UserByUsername(ctx, in.Username); err == nil {
		return fmt.Errorf("the username %s is taken; nothing was changed", in.Username)
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if in.Password, err = readPassword(ctx, e, in.Username); err != nil {
		return err
	}
	if in.Password == "" {
		return usageError{"no password on standard input"}
	}
	u, err := a.Accounts.CreateUser(ctx, nil, in, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created user %s (%s), id %s\n", u.Username, u.FullName, u.ID)
	return nil
}

// cmdUserPasswd sets a user's password: the way back in for an
// administrator who forgot theirs, with nobody left to reset it.
func cmdUserPasswd(ctx context.Context, e env, args []string) error {
	var username string
	cfg, err := loadConfig(e, "user passwd",
		"Set a user's password directly in the database, and end all their sessions (the way back in for an\n"+
			"administrator who forgot theirs). The password is read as for `curia user add`. The change is in the\n"+
			"audit log, by \"command line\".",
		args, func(fs *flag.FlagSet, _ *app.Config) {
			fs.StringVar(&username, "username", "", "login name (required)")
		})
	if err != nil {
		return err
	}
	if username == "" {
		return usageError{"--username is required"}
	}
	a, err := openExistingApp(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The user must exist before anyone types a password for them.
	if _, err := a.Accounts.UserByUsername(ctx, username); err != nil {
		return err
	}
	password, err := readPassword(ctx, e, username)
	if err != nil {
		return err
	}
	if password == "" {
		return usageError{"no password on standard input"}
	}
	u, err := a.Accounts.SetPassword(ctx, username, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "set the password of %s (%s); their sessions have ended\n", u.Username, u.FullName)
	return nil
}

// readPassword reads the new user's password. From a terminal it asks on
// standard error, twice, and the typing is not echoed; otherwise it is
// the first line of standard input (a last line without a newline is fine).
func readPassword(ctx context.Context, e env, username string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok {
		restore, tty, err := noEcho(f)
		if err != nil {
			return "", fmt.Errorf("turn off echo on the terminal: %w", err)
		}
		if tty {
			defer restore()
			return askPassword(ctx, e, f, username)
		}
	}
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), nil
}

// askPassword asks for the password twice on a terminal whose echo is off.
// Ctrl-C (ctx) ends the wait.
func askPassword(ctx context.Context, e env, tty *os.File, username string) (string, error) {
	lines := make(chan string)
	go func() {
		r := bufio.NewReader(tty)
		for {
			line, err := r.ReadString('\n')
			if err != nil && line == "" {
				close(lines)
				return
			}
			select {
			case lines <- strings.TrimRight(line, "\r\n"):
			case <-ctx.Done():
				return
			}
		}
	}()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		select {
		case line, ok := <-lines:
			fmt.Fprintln(e.stderr) // the Enter typed was not echoed either
			if !ok {
				return "", nil
			}
			return line, nil
		case <-ctx.Done():
			fmt.Fprintln(e.stderr)
			return "", errors.New("interrupted")
		}
	}
	first, err := ask(fmt.Sprintf("Password for %s: ", username))
	if err != nil || first == "" {
		return first, err
	}
	again, err := ask("Repeat the password: ")
	if err != nil {
		return "", err
	}
	if again != first {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return first, nil
}

// openExistingApp opens the database, which must exist already (a
// mistyped data directory is refused rather than answered from a new,
// empty database), brings its schema up to date and builds the services
// without serving.
func openExistingApp(ctx context.Context, e env, cfg app.Config) (*app.App, error) {
	log := app.NewLogger(cfg, e.stderr)
	db, err := database.Open(ctx, database.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: log,
		MaxConns: cfg.DatabaseConns, MustExist: true})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, app.Migrations()...); err != nil {
		_ = db.Close()
		return nil, err
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return a, nil
}
