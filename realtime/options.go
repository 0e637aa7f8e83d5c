package realtime

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/internal/database"
)

// Options configure a Hub. DB and Authorizer are required; zero values of
// the rest mean the documented defaults.
type Options struct {
	DB          *database.DB // migrated with Migration()
	Authorizer  Authorizer
	Snapshotter Snapshotter // nil: snapshots carry "state": null
	Logger      *slog.Logger
	Metrics     prometheus.Registerer // nil: metrics are kept but not registered
	// AllowedOrigins are origins besides the request's own host that may
	// open a connection from a browser, e.g. "https://curia.example".
	AllowedOrigins []string
	// HTTPSOnly says the app is served over HTTPS only (behind a proxy
	// that ends TLS, too): the request's own origin is then https://HOST,
	// never http://HOST, whatever the browser's Origin says.
	HTTPSOnly bool

	QueueSize    int           // messages queued per connection before it is dropped (1,024; memory is taken only while they wait)
	QueueBytes   int           // bytes queued per connection before it is dropped (1 MiB)
	Retention    time.Duration // how long events stay replayable (24 h)
	RetainEvents int           // events kept per meeting (5,000)
	MemoryEvents int           // recent events a room keeps in memory for replay (256, at most RetainEvents)
	// Linger keeps an empty room (and its recent events) this long, so a
	// room whose tablets all lost Wi-Fi resumes from memory (1 min;
	// negative: drop at once).
	Linger         time.Duration
	FollowInterval time.Duration // coalescing of follow.changed (250 ms)
	PingInterval   time.Duration // server pings (25 s)
	PongWait       time.Duration // a client silent this long is gone (60 s)
	WriteWait      time.Duration // a write that takes longer fails (10 s)
	ReadLimit      int64         // largest client message (64 KiB)
	RateLimit      float64       // client messages per second (20)
	RateBurst      int           // client message burst (40)
	PublishTimeout time.Duration // bound on storing a published batch (10 s)
	PruneInterval  time.Duration // how often old events are deleted (5 min)
	// PresenceHeartbeat is how often a node tells the others (PostgreSQL)
	// who is online in its rooms; a node silent for three is forgotten (10 s).
	// It is also how often a node's listener pings itself: one that hears
	// nothing for three (at least 1 s) reconnects (pgcontrols.go).
	PresenceHeartbeat time.Duration
	// UserDisconnected, when set, is called on every node that hears of a
	// DisconnectUser or DisconnectSession, before the user's connections
	// there close: the app forgets what it caches about the user's
	// sessions, so that the reconnection is authorised afresh. It must not
	// block (it runs on the broker's goroutine).
	UserDisconnected func(userID string)
	// Sessions, when set, is given the sessions of this node's open
	// connections every SessionCheck (5 min): it keeps them in use and
	// names those that ended, whose connections then close (4003).
	Sessions     SessionChecker
	SessionCheck time.Duration // how often Sessions is asked (5 min)
	// Replay, when set, is asked before a resuming connection is given
	// the events it missed: they were addressed as things stood when they
	// were published, and the viewer's access may have shrunk since
	// (replay.go). Nil: the Snapshotter, if it implements ReplayChecker;
	// otherwise replays are given as stored.
	Replay ReplayChecker
	// MaxUserConns bounds one user's connections to one meeting on this
	// node (8; negative: no bound). Beyond it a new connection takes the
	// place of one of the user's that has gone silent, or is refused with
	// 429 (limit.go).
	MaxUserConns int
	// Paced names event types that may reach a big room a few
	// milliseconds late, such as shared strokes while delegates draw. A
	// fan-out that carries only such events is paced: each of its
	// goroutines (one per 128 connections) writes PaceChunk of its
	// connections, pauses PaceGap, writes the next PaceChunk, and so on
	// (a PaceChunk of 128 or more never pauses), so that they leave the
	// cores (and the network poller) free often: a page turn
	// that comes meanwhile is read and sent at once, and writes what the
	// paced fan-out had not yet written to a tablet ahead of itself, in
	// order (pace.go). A room of at most PaceChunk connections has no
	// pause. Nil: every fan-out writes at once.
	Paced     []string
	PaceChunk int           // connections written between two pauses (16)
	PaceGap   time.Duration // the pause (2 ms; negative: none)
	Now       func() time.Time

	// controlKeep is how long control messages are stored for the nodes
	// that missed them (default controlKeep, pgcontrols.go); tests shorten it.
	controlKeep time.Duration
}

func (o *Options) validate() error {
	switch {
	case o.DB == nil:
		return errors.New("realtime: Options.DB is required")
	case o.Authorizer == nil:
		return errors.New("realtime: Options.Authorizer is required")
	case o.PaceChunk < 0:
		return errors.New("realtime: Options.PaceChunk is negative")
	}
	for _, s := range o.AllowedOrigins {
		if _, ok := normalOrigin(s); !ok {
			return fmt.Errorf("realtime: allowed origin %q is not scheme://host[:port]", s)
		}
	}
	return nil
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = discard()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	def(&o.QueueSize, 1024)
	def(&o.QueueBytes, 1<<20)
	def(&o.Retention, 24*time.Hour)
	def(&o.RetainEvents, 5000)
	def(&o.MemoryEvents, 256)
	o.MemoryEvents = min(o.MemoryEvents, o.RetainEvents)
	def(&o.Linger, time.Minute)
	def(&o.FollowInterval, 250*time.Millisecond)
	def(&o.PingInterval, 25*time.Second)
	def(&o.PongWait, 60*time.Second)
	def(&o.WriteWait, 10*time.Second)
	def(&o.ReadLimit, 64<<10)
	def(&o.RateLimit, 20)
	def(&o.RateBurst, 40)
	def(&o.PublishTimeout, 10*time.Second)
	def(&o.PruneInterval, 5*time.Minute)
	def(&o.PresenceHeartbeat, 10*time.Second)
	def(&o.SessionCheck, 5*time.Minute)
	def(&o.MaxUserConns, 8)
	def(&o.PaceChunk, 16)
	def(&o.PaceGap, 2*time.Millisecond)
	def(&o.controlKeep, controlKeep)
	if o.Replay == nil {
		o.Replay, _ = o.Snapshotter.(ReplayChecker)
	}
}

// def sets *p to v when it is zero.
func def[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
