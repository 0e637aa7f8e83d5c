package meeting

import (
	"context"
	"sync"
	"time"
)

// sharedReads lets the callers that ask for the same thing at the same
// time share one read. A join storm (hundreds of tablets reconnecting
// after the Wi-Fi came back, each snapshot asking for the quorum) costs a
// few reads of the participant list instead of one per tablet.
//
// A caller never gets a read that started before it asked: while a read
// runs, newcomers wait for the next one, which starts when it ends and
// serves all of them. So no caller sees older state than it would have
// read alone, which the live hub's snapshot-then-events protocol needs.
type sharedReads[T any] struct {
	mu      sync.Mutex
	flights map[string]*flight[T]
}

type flight[T any] struct {
	running, pending *read[T]
}

type read[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// sharedTimeout bounds a read that serves several callers: it runs
// without any one caller's cancellation.
const sharedTimeout = 15 * time.Second

func (s *sharedReads[T]) do(ctx context.Context, key string, fn func(context.Context) (T, error)) (T, error) {
	s.mu.Lock()
	if s.flights == nil {
		s.flights = map[string]*flight[T]{}
	}
	f := s.flights[key]
	if f == nil {
		f = &flight[T]{}
		s.flights[key] = f
	}
	var r *read[T]
	switch {
	case f.running == nil: // nothing runs: start now
		r = &read[T]{done: make(chan struct{})}
		f.running = r
		s.mu.Unlock()
	case f.pending != nil: // the next read has not started: it will serve us too
		r = f.pending
		s.mu.Unlock()
		return wait(ctx, r)
	default: // a read runs: be the next one, once it ends
		r = &read[T]{done: make(chan struct{})}
		f.pending = r
		prev := f.running
		s.mu.Unlock()
		<-prev.done
		s.mu.Lock()
		f.running, f.pending = r, nil
		s.mu.Unlock()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedTimeout)
	r.val, r.err = fn(rctx)
	cancel()
	s.mu.Lock()
	if f.running == r {
		f.running = nil
		if f.pending == nil && s.flights[key] == f {
			delete(s.flights, key)
		}
	}
	s.mu.Unlock()
	close(r.done)
	return r.val, r.err
}

func wait[T any](ctx context.Context, r *read[T]) (T, error) {
	select {
	case <-r.done:
		return r.val, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
