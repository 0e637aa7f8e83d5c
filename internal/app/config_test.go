package app

import (
	"strings"
	"testing"
)

// CURIA_LOGIN_PER_CLIENT sets the sign-in attempts allowed per client
// address (the default, 30 a minute, is the account package's).
func TestLoginPerClientFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "CURIA_LOGIN_PER_CLIENT" {
				return v
			}
			return ""
		}
	}
	c, err := FromEnv(env("500"))
	if err != nil || c.LoginLimits.PerClient != 500 {
		t.Fatalf("CURIA_LOGIN_PER_CLIENT=500: %+v, %v", c.LoginLimits, err)
	}
	c, err = FromEnv(env(""))
	if err != nil || c.LoginLimits.PerClient != 0 {
		t.Fatalf("unset: %+v, %v (want 0: the default applies)", c.LoginLimits, err)
	}
	for _, bad := range []string{"0", "-3", "lots", "100001"} {
		if _, err := FromEnv(env(bad)); err == nil {
			t.Errorf("CURIA_LOGIN_PER_CLIENT=%q was accepted", bad)
		}
	}
}

// TestValidateListenPort proves that a listen address whose port cannot
// be (not a number from 0 to 65535) is refused by Validate, which
// cmd/curia turns into a usage error naming CURIA_ADDR or --addr, rather
// than failing later at listen.
func TestValidateListenPort(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8080", "127.0.0.1:0", ":65535", "[::1]:443"} {
		c := Config{Addr: ok}
		if err := c.Validate(); err != nil {
			t.Errorf("Addr %q: %v", ok, err)
		}
	}
	for _, bad := range []string{"127.0.0.1:99999", "127.0.0.1:65536", "127.0.0.1:eighty", "127.0.0.1:-1", "127.0.0.1:", "127.0.0.1"} {
		c := Config{Addr: bad}
		if err := c.Validate(); err == nil {
			t.Errorf("Addr %q was accepted", bad)
		}
	}
}

// TestValidateNormalisesAllowedOrigins proves that Validate keeps each
// allowed origin in the one form (web.NormalOrigin) that the REST API's
// cross-origin check and the live hub both compare in, whatever its
// spelling, and refuses what is no origin.
func TestValidateNormalisesAllowedOrigins(t *testing.T) {
	in := []string{"https://App.Example:443", "http://tablets.example:8080/", "HTTPS://b.example"}
	c := Config{AllowedOrigins: in}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []string{"https://app.example", "http://tablets.example:8080", "https://b.example"}
	if strings.Join(c.AllowedOrigins, " ") != strings.Join(want, " ") {
		t.Errorf("allowed origins %q, want %q", c.AllowedOrigins, want)
	}
	if in[0] != "https://App.Example:443" {
		t.Errorf("Validate changed the caller's slice: %q", in)
	}
	for _, bad := range []string{"app.example", "https://app.example/x", "https://app.example:99999"} {
		c := Config{AllowedOrigins: []string{bad}}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("allowed origin %q: %v", bad, err)
		}
	}
}

// CURIA_HEAP_FLOOR_MB sets the heap floor (package heapfloor): unset,
// 128 MB; 0, none; anything but a whole number of megabytes up to 64 GiB
// is refused.
func TestHeapFloorFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "CURIA_HEAP_FLOOR_MB" {
				return v
			}
			return ""
		}
	}
	for v, want := range map[string]uint64{"": 128 << 20, "0": 0, "1": 1 << 20, "512": 512 << 20, "65536": 64 << 30} {
		c, err := FromEnv(env(v))
		if err != nil || c.HeapFloor() != want {
			t.Errorf("CURIA_HEAP_FLOOR_MB=%q: floor %d, %v; want %d", v, c.HeapFloor(), err, want)
		}
	}
	for _, bad := range []string{"-1", "lots", "1.5", "65537"} {
		if _, err := FromEnv(env(bad)); err == nil || !strings.Contains(err.Error(), "CURIA_HEAP_FLOOR_MB") {
			t.Errorf("CURIA_HEAP_FLOOR_MB=%q: %v, want refused", bad, err)
		}
	}
}
