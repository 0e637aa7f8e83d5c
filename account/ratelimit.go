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
	// pending holds the attempts counted and not yet settled, per
	// username and client key, oldest first (see settle).
	pending map[pair][]counted
}

// pair is the username and the client key an attempt counts against.
type pair struct{ user, client string }

// counted names the windows an attempt was counted in.
type counted struct{ user, client *window }

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
	return &loginLimiter{lim: l, now: now, users: map[string]*window{}, clients: map[string]*window{},
		pending: map[pair][]counted{}}
}

// allow counts an attempt against both the username and the client
// address, before the password is checked, so guesses sent at once cannot
// all pass a count that only failures would raise; a success forgives
// (succeeded). It reports whether the attempt may proceed, and if not, how
// long to wait, whether it is the first refusal of that window (the one
// worth auditing: a flood of refusals must not become a flood of writes)
// and which limit refused it: "username" or "client_address". An attempt
// let through must be settled (settle) once its password is checked or
// cannot be.
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
	k := pair{username, clientKey(ip)}
	l.pending[k] = append(l.pending[k], counted{u, c})
	return 0, true, false, ""
}

// settle ends an attempt that allow let through: tried says whether a
// password was checked (it stays counted) or not (the server could not
// check it: 503; the attempt is given back). Every attempt allowed is
// settled once.
//
// An attempt is given back only to the windows that counted it, and only
// while they are still the current ones: one counted in a window that
// has ended since must not lower the count of the next. The caller does
// not say which of a username and address's attempts it settles, so the
// oldest is taken. That never credits a window with an attempt it did
// not count: when the oldest pending attempt was counted in the current
// window, so were all the later ones; when it was not, nothing is given
// back (at worst a busy server costs a try it should not have).
func (l *loginLimiter) settle(username, ip string, tried bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := pair{username, clientKey(ip)}
	q := l.pending[k]
	if len(q) == 0 {
		return
	}
	a := q[0]
	if len(q) == 1 {
		delete(l.pending, k)
	} else {
		l.pending[k] = q[1:]
	}
	if tried {
		return
	}
	if w := l.users[k.user]; w == a.user && w.n > 0 {
		w.n--
	}
	if w := l.clients[k.client]; w == a.client && w.n > 0 {
		w.n--
	}
}

// unchecked gives back an attempt that allow counted but that tried no
// password (settle).
func (l *loginLimiter) unchecked(username, ip string) { l.settle(username, ip, false) }

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
