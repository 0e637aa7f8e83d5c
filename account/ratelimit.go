package account

import (
	"sync"
	"time"
)

// LoginLimits bound sign-in attempts. Failed attempts count per username
// (so one account cannot be guessed at from many addresses); every attempt
// counts per client address (so one address cannot sweep many accounts).
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
	start time.Time
	n     int
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

// allow counts an attempt from ip and reports whether it may proceed, and
// if not, how long to wait.
func (l *loginLimiter) allow(username, ip string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepOld(now)
	if w := l.current(l.users, username, now); w.n >= l.lim.PerUser {
		return w.start.Add(l.lim.Window).Sub(now), false
	}
	c := l.current(l.clients, ip, now)
	if c.n >= l.lim.PerClient {
		return c.start.Add(l.lim.Window).Sub(now), false
	}
	c.n++
	return 0, true
}

// failed counts a failed attempt against the username.
func (l *loginLimiter) failed(username, _ string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current(l.users, username, l.now()).n++
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
