package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"
)

// cmdHealth asks a running server on CURIA_ADDR for /healthz; it is the
// container's health check, so the image needs no curl.
func cmdHealth(ctx context.Context, e env, args []string) error {
	addr := e.getenv("CURIA_ADDR")
	source := "CURIA_ADDR"
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: curia health [flags]\n\n"+
			"Check that the server listening on CURIA_ADDR answers /healthz: exit 0 and print ok if it does,\n"+
			"exit 1 if not (the container's health check). A listen address on all interfaces is asked on 127.0.0.1.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&addr, "addr", addr, "the server's listen address (CURIA_ADDR)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	fs.Visit(func(f *flag.Flag) { source = "--" + f.Name })
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("%s: %q is not host:port", source, addr)}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", res.Status)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
