package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// cmdHealth asks a running server on CURIA_ADDR for /healthz; it is the
// container's health check, so the image needs no curl.
func cmdHealth(ctx context.Context, e env) error {
	addr := e.getenv("CURIA_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("CURIA_ADDR %q is not host:port", addr)}
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
