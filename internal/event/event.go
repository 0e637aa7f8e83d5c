// Package event is the small contract between the domain packages, which
// publish what changed, and the realtime hub, which delivers it. Neither
// side imports the other; cmd wires a hub in as the Publisher.
package event

import (
	"context"
	"slices"
)

// Event is one change in a meeting, published after its transaction commits.
type Event struct {
	MeetingID string
	Type      string // e.g. "agenda.changed"
	Data      any    // JSON-encodable payload
	// Audience limits delivery to these user ids. Nil means everyone in the
	// meeting; an empty non-nil slice means nobody.
	Audience []string
	// Exclude withholds the event from these user ids (applied after
	// Audience): "everyone but the readers" gets a redacted twin of an
	// event about a confidential document.
	Exclude []string
}

// Visible reports whether the user may receive e.
func (e Event) Visible(userID string) bool {
	if e.Audience != nil && !slices.Contains(e.Audience, userID) {
		return false
	}
	return !slices.Contains(e.Exclude, userID)
}

// Publisher delivers events. Publish must not block on slow clients and
// never fails the caller: the change is already committed.
type Publisher interface {
	Publish(ctx context.Context, events ...Event)
}

// Nop is a Publisher that drops every event.
type Nop struct{}

// Publish does nothing.
func (Nop) Publish(context.Context, ...Event) {}

// Recorder is a Publisher for tests that keeps what it was given.
type Recorder struct {
	ch chan Event
}

// NewRecorder returns a Recorder that buffers up to n events.
func NewRecorder(n int) *Recorder { return &Recorder{ch: make(chan Event, n)} }

// Publish records events, dropping them when the buffer is full.
func (r *Recorder) Publish(_ context.Context, events ...Event) {
	for _, e := range events {
		select {
		case r.ch <- e:
		default:
		}
	}
}

// Events returns the channel of recorded events.
func (r *Recorder) Events() <-chan Event { return r.ch }

// Multi publishes to each of its publishers in turn.
type Multi []Publisher

// Publish implements Publisher.
func (m Multi) Publish(ctx context.Context, events ...Event) {
	for _, p := range m {
		p.Publish(ctx, events...)
	}
}
