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
// holds them all. An attempt that carries a device token of the username
// tried (device.go) counts per device token instead of per username, with
// the same PerUser, so that guesses from elsewhere do not lock out a
// device the user has signed in from before. A signed-in user's change of
// their own password counts per user (by id) in a window of its own, with
// the same PerUser, and per client address (allowChange).
type LoginLimits struct {
	PerUser   int           // failed attempts per username (or per device token) per Window; default 5
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
	// devices counts the attempts of known devices, by device id (the
	// hash of the device token; only tokens found in the database, so
	// it holds no more keys than there are devices).
	devices map[string]*window
	// changes counts the password changes of signed-in users
	// (ChangePassword), by user id: only users with a session, so it
	// holds no more keys than there are users.
	changes map[string]*window
	sweep   time.Time
	// pending holds the attempts counted and not yet settled, per
	// username, client key, device and change, oldest first (see settle).
	pending map[pair][]counted
}

// pair is the username and the client key an attempt counts against, and
// the device whose window counted it instead of the username's ("" when
// the username's did); or, for a password change, the client key and the
// id of the user whose change window counted it (change; user is "").
type pair struct{ user, client, device, change string }

// counted names the windows an attempt was counted in: user is the
// username's window, or the device's or the change window when the pair
// names one.
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
		devices: map[string]*window{}, changes: map[string]*window{}, pending: map[pair][]counted{}}
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
	_, wait, ok, firstRefusal, limit = l.allowDevice(username, ip, "")
	return wait, ok, firstRefusal, limit
}

// allowDevice is allow for an attempt that may come from a known device:
// device is the id of a device token that belongs to username ("" for
// none). Such an attempt counts in the device's window instead of the
// username's, and is neither counted in nor refused by the username's.
// Once the device's window is full the attempt is one of an unknown
// device: it counts in the username's window, and may be refused by it
// (the caller drops the device token at its window's failures, see
// deviceSpent). The address's window counts every attempt. The pair
// returned names the windows that counted the attempt, for settleAttempt.
func (l *loginLimiter) allowDevice(username, ip, device string) (k pair, wait time.Duration, ok, firstRefusal bool, limit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepOld(now)
	k = pair{user: username, client: clientKey(ip)}
	var u *window
	if device != "" {
		if d := l.current(l.devices, device, now); d.n < l.lim.PerUser {
			u, k.device = d, device
		}
	}
	if u == nil {
		u = l.current(l.users, username, now)
	}
	return l.admit(k, u, l.lim.PerUser, now)
}

// spentClient is asked before allowDevice, before the device token is
// looked up in the database: it reports whether the client address ip has
// no attempts left in its window, and then refuses the attempt as
// allowDevice would (ok is false; wait, firstRefusal and limit as
// allowDevice reports them), counting nothing. A client over its limit
// thus costs no database read, whatever device cookies it sends. When it
// reports ok, call allowDevice, which decides (and counts) as before.
//
// device is the id the attempt's device token would have (deviceID), not
// yet known to be a device of username. Which window allowDevice would
// check before the address's (the device's or the username's) only
// changes which limit is named and how long to wait: the attempt is
// refused either way. It is taken from what the limiter holds: a device
// with a window here has been found to be one (only those are counted),
// and counts in it while that has attempts left (a window that has ended
// counts as an empty one); any other id, as a token that is not a
// device's, counts as no device, so the username's window is checked.
// (A known device not yet counted since its window last ended is taken
// for an unknown one here: the answer names the username's limit if that
// is full too, where allowDevice would name the address's.)
func (l *loginLimiter) spentClient(username, ip, device string) (wait time.Duration, ok, firstRefusal bool, limit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepOld(now)
	k := pair{user: username, client: clientKey(ip)}
	c, found := l.clients[k.client]
	if !found || now.Sub(c.start) >= l.lim.Window || c.n < l.lim.PerClient {
		return 0, true, false, ""
	}
	var u *window
	if d, found := l.devices[device]; found && device != "" {
		switch {
		case now.Sub(d.start) >= l.lim.Window:
			u = &window{start: now} // allowDevice would start it anew, empty
		case d.n < l.lim.PerUser:
			u = d
		}
	}
	if u == nil {
		u = l.current(l.users, username, now)
	}
	// The address's window is full, so admit refuses the attempt, with
	// the answer allowDevice would give, and counts nothing.
	_, wait, ok, firstRefusal, limit = l.admit(k, u, l.lim.PerUser, now)
	return wait, ok, firstRefusal, limit
}

// allowChange is allow for a signed-in user's change of their own
// password (ChangePassword): the attempt counts in the user's change
// window, by user id, with the same PerUser, and in the client address's
// window; it is neither counted in nor refused by the username's sign-in
// window, so that strangers' wrong guesses at the sign-in form cannot
// keep a signed-in user from changing their password. A refusal by the
// change window is reported as limit "username" (the account's own
// limit), as it was when the change shared the sign-in window. Settle
// the attempt with settleAttempt; a wrong current password is counted in
// the username's window too, by changeFailed.
//
// While the username's sign-in window is full, the change window admits
// changeWhileFull attempts, not PerUser: enough for the real user, who
// knows the password (and may mistype it once), while a session (perhaps
// stolen) cannot add PerUser guesses to the PerUser its holder made at the
// sign-in form.
func (l *loginLimiter) allowChange(userID, username, ip string) (k pair, wait time.Duration, ok, firstRefusal bool, limit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweepOld(now)
	k = pair{client: clientKey(ip), change: userID}
	most := l.lim.PerUser
	if signIns := l.current(l.users, username, now); signIns.n >= l.lim.PerUser {
		most = min(most, changeWhileFull)
	}
	return l.admit(k, l.current(l.changes, userID, now), most, now)
}

// changeWhileFull is how many password changes a user's change window
// admits while the username's sign-in window is full (allowChange).
const changeWhileFull = 2

// admit counts the attempt of k in u (the window of its username, device
// or change, which holds most) and in its client address's window,
// unless either is full. l.mu is held.
func (l *loginLimiter) admit(k pair, u *window, most int, now time.Time) (_ pair, wait time.Duration, ok, firstRefusal bool, limit string) {
	c := l.current(l.clients, k.client, now)
	for _, x := range []struct {
		w     *window
		max   int
		limit string
	}{{u, most, "username"}, {c, l.lim.PerClient, "client_address"}} {
		if x.w.n >= x.max {
			first := !x.w.refused
			x.w.refused = true
			return pair{}, x.w.start.Add(l.lim.Window).Sub(now), false, first, x.limit
		}
	}
	u.n++
	c.n++
	l.pending[k] = append(l.pending[k], counted{u, c})
	return k, 0, true, false, ""
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
	l.settleAttempt(pair{user: username, client: clientKey(ip)}, tried)
}

// settleAttempt is settle for an attempt that allowDevice let through,
// named by the pair it returned. The attempts of one pair were all
// counted in the same kind of window (the username's or the device's),
// so what settle says of the oldest holds here too.
func (l *loginLimiter) settleAttempt(k pair, tried bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
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
	m, key := l.users, k.user
	switch {
	case k.device != "":
		m, key = l.devices, k.device
	case k.change != "":
		m, key = l.changes, k.change
	}
	if w := m[key]; w == a.user && w.n > 0 {
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

// changeFailed counts a wrong current password given to a password change
// (allowChange) in the username's sign-in window as well, after the
// check; it never refuses anything there. The username's window stays the
// one that sees every wrong guess at the account's password, whatever the
// route: guesses made through a (perhaps stolen) session use up the
// sign-in tries of unknown devices as guesses at the form do, rather than
// coming on top of them unseen. It costs the real user nothing a stranger
// could not cost them anyway (anyone can fill that window), and leaves
// their devices' windows and the change window alone.
func (l *loginLimiter) changeFailed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current(l.users, username, l.now()).n++
}

// changeSucceeded forgives earlier failures of the user's password
// changes (their id); not the username's sign-in window, whose failures
// may be a stranger's.
func (l *loginLimiter) changeSucceeded(userID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.changes, userID)
}

// deviceSucceeded forgives earlier failures of the device (its id).
func (l *loginLimiter) deviceSucceeded(device string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.devices, device)
}

// deviceSpent reports whether the device's current window is full: the
// attempts it let through reached PerUser, so after a failure its token
// is to be dropped.
func (l *loginLimiter) deviceSpent(device string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.devices[device]
	return ok && l.now().Sub(w.start) < l.lim.Window && w.n >= l.lim.PerUser
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
	for _, m := range []map[string]*window{l.users, l.clients, l.devices, l.changes} {
		for k, w := range m {
			if now.Sub(w.start) >= l.lim.Window {
				delete(m, k)
			}
		}
	}
}
