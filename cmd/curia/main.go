// Command curia is Curia's one binary: the server, the demo, and the
// administrator's tools. main only wires the process to run, so tests can
// call run directly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/curia/curia/internal/apperr"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal begins a graceful shutdown; once it has, the
	// signals get their default action back, so a second Ctrl-C or
	// SIGTERM stops the process at once rather than waiting out the
	// shutdown's grace period.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "curia:", errorText(err))
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// errorText is err as a person reads it: each application error in it
// (apperr) shows as its message, without the kind ("not_found: ",
// "invalid: ") that is for programs, followed by its internal cause when
// it has one (the operator at the command line may see it).
func errorText(err error) string {
	text := err.Error()
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*apperr.Error); ok {
			own := e.Message
			if e.Err != nil {
				own += ": " + e.Err.Error()
			}
			text = strings.Replace(text, e.Error(), own, 1)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				walk(next)
			}
		case interface{ Unwrap() []error }:
			for _, next := range u.Unwrap() {
				walk(next)
			}
		}
	}
	walk(err)
	return text
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

const usage = `Curia — paperless meetings.

Usage:
  curia serve [flags]      run the server
  curia demo [flags]       run the server with a demo meeting and demo users
  curia user add [flags]   create a user directly in the database
  curia user passwd [flags]
                           set a user's password directly in the database
  curia migrate [flags]    bring the database schema up to date and exit
  curia copy lookup ID     tell whose watermarked copy a copy id (from a leaked page) names
  curia version            print the version
  curia health [flags]     check that a server on CURIA_ADDR answers (for container health checks)

Run "curia COMMAND --help" for a command's flags.
`

// env bundles what a command gets from its process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run executes one command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, e, args[1:], false)
	case "demo":
		return cmdServe(ctx, e, args[1:], true)
	case "user":
		return cmdUser(ctx, e, args[1:])
	case "migrate":
		return cmdMigrate(ctx, e, args[1:])
	case "version", "--version":
		fmt.Fprintln(stdout, "curia", version)
		return nil
	case "copy":
		return cmdCopy(ctx, e, args[1:])
	case "health":
		return cmdHealth(ctx, e, args[1:])
	case "pdf-worker":
		return cmdPDFWorker(ctx, e)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
