package account

import (
	"net"
	"sync"
	"time"
)

// LoginLimits bound sign-in attempts. Failed attempts count per username
// (so one account cannot be guessed at from many addresses); every attempt
// counts per client address (so one address cannot sweep many accounts).
// An IPv6 client counts by its /64: whoever holds one address of a link
// holds them all.
type LoginLimits struct {
	PerUser   int           // failed attempts per username per Window; default 5
	PerClient int           // attempts per client address per Window; default 30
	Window    time.Duration // default 1 minute
}

// loginLimiter keeps fixed-window counters in memory. Each node counts for
// itself; behind a load balancer the effective limit is at most nodes×.
type loginLimiter struct {
	mu      sync.Mutex
	lim     LoginLimits
	now     func() time.Time
	users   map[string]*window
	clients map[string]*window
	sweep   time.Time
}

type window struct {
	start   time.Time
	n       int
	refused bool // an attempt was refused in this window (it is audited once)
}

func newLoginLimiter(l LoginLimits, now func() time.Time) *loginLimiter {
	if l.PerUser <= 0 {
		l.PerUser = 5
	}
	if l.PerClient <= 0 {
		l.PerClient = 30
	}
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	return &loginLimiter{lim: l, now: now, users: map[string]*window{}, clients: map[string]*window{}}
}

// allow counts an attempt against both the username and the client
// address, before the password is checked, so guesses sent at once cannot
// all pass a count that only failures would raise; a success forgives
// (succeeded). It reports whether the attempt may proceed, and if not, how
// long to wait, whether it is the first refusal of that window (the one
// worth auditing: a flood of refusals must not become a flood of writes)
// and which limit refused it: "username" or "client_address".
func (l *loginLimiter) allow(username, ip string) (wait time.Duration, ok, firstRefusal bool, limit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepOld(now)
	u := l.current(l.users, username, now)
	c := l.current(l.clients, clientKey(ip), now)
	for _, x := range []struct {
		w     *window
		max   int
		limit string
	}{{u, l.lim.PerUser, "username"}, {c, l.lim.PerClient, "client_address"}} {
		if x.w.n >= x.max {
			first := !x.w.refused
			x.w.refused = true
			return x.w.start.Add(l.lim.Window).Sub(now), false, first, x.limit
		}
	}
	u.n++
	c.n++
	return 0, true, false, ""
}

// unchecked gives back an attempt that allow counted but that tried no
// password (the server could not check it: 503). Its window may have
// ended meanwhile; a new one is not taken below zero.
func (l *loginLimiter) unchecked(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range []*window{l.users[username], l.clients[clientKey(ip)]} {
		if w != nil && w.n > 0 {
			w.n--
		}
	}
}

// clientKey is the address an attempt counts against: an IPv4 address
// itself, an IPv6 address's /64.
func clientKey(ip string) string {
	a := net.ParseIP(ip)
	if a == nil || a.To4() != nil {
		return ip
	}
	return a.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// succeeded forgives earlier failures of the username.
func (l *loginLimiter) succeeded(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, username)
}

func (l *loginLimiter) current(m map[string]*window, key string, now time.Time) *window {
	w, ok := m[key]
	if !ok || now.Sub(w.start) >= l.lim.Window {
		w = &window{start: now}
		m[key] = w
	}
	return w
}

// sweepOld drops finished windows once per window, so the maps stay small
// under a sweep of random usernames.
func (l *loginLimiter) sweepOld(now time.Time) {
	if now.Sub(l.sweep) < l.lim.Window {
		return
	}
	l.sweep = now
	for _, m := range []map[string]*window{l.users, l.clients} {
		for k, w := range m {
			if now.Sub(w.start) >= l.lim.Window {
				delete(m, k)
			}
		}
	}
}
