// Package batch shares database reads among concurrent callers.
package batch

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Loader answers lookups by key with few queries: a lookup made while a
// query runs waits for the next one, which asks for every key requested
// in the meantime (up to Max), so a storm of a thousand first requests
// costs a handful of queries instead of a thousand. A lone lookup is
// queried at once, and a lookup is never answered by a query that started
// before it was made: whatever changed before the caller asked is seen.
//
// Queries run one at a time, outside any one caller's cancellation (they
// serve several callers), bounded by Timeout. A caller that gives up
// stops waiting; a key that nobody waits for any more when its query
// starts is left out of it, so a flood of abandoned lookups (forged
// tokens, a stalled database) does not keep live callers waiting.
type Loader[K comparable, V any] struct {
	// Fetch reads the values of keys (distinct, at most Max). A key
	// missing from the map is answered with found == false.
	Fetch   func(ctx context.Context, keys []K) (map[K]V, error)
	Max     int           // keys per query; 0 means 256
	Timeout time.Duration // per query; 0 means 15 s

	mu      sync.Mutex
	running bool
	queue   []*round[K, V] // waiting to run, oldest first
}

// round is one query and the callers it answers.
type round[K comparable, V any] struct {
	keys    []K
	waiting map[K]int // callers still waiting, per key
	done    chan struct{}
	vals    map[K]V
	err     error
}

// Load returns the value of key, whether it was found, or the query's
// error (or ctx's, when the caller gave up first).
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, bool, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, false, err
	}
	r := l.enqueue(key)
	select {
	case <-r.done:
		v, ok := r.vals[key]
		return v, ok, r.err
	case <-ctx.Done():
		l.mu.Lock()
		r.waiting[key]--
		l.mu.Unlock()
		return zero, false, ctx.Err()
	}
}

// enqueue adds key to the newest round that has not started (or to a new
// one) and starts the runner when none runs.
func (l *Loader[K, V]) enqueue(key K) *round[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r *round[K, V]
	if n := len(l.queue); n > 0 && (l.queue[n-1].has(key) || len(l.queue[n-1].keys) < l.max()) {
		r = l.queue[n-1]
	} else {
		r = &round[K, V]{waiting: map[K]int{}, done: make(chan struct{})}
		l.queue = append(l.queue, r)
	}
	if !r.has(key) {
		r.keys = append(r.keys, key)
	}
	r.waiting[key]++
	if !l.running {
		l.running = true
		go l.run()
	}
	return r
}

// run queries the queued rounds in order until none is left.
func (l *Loader[K, V]) run() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		r := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		r.keys = slices.DeleteFunc(r.keys, func(k K) bool { return r.waiting[k] <= 0 })
		l.mu.Unlock()
		if len(r.keys) == 0 { // everyone gave up
			close(r.done)
			continue
		}
		l.query(r)
	}
}

func (r *round[K, V]) has(key K) bool {
	_, ok := r.waiting[key]
	return ok
}

func (l *Loader[K, V]) query(r *round[K, V]) {
	defer close(r.done)
	defer func() { // a panicking Fetch fails its round, not the process
		if p := recover(); p != nil {
			r.vals, r.err = nil, &PanicError{Value: p}
		}
	}()
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r.vals, r.err = l.Fetch(ctx, r.keys)
}

func (l *Loader[K, V]) max() int {
	if l.Max <= 0 {
		return 256
	}
	return l.Max
}

// PanicError is a Fetch that panicked.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return "batch: fetch panicked" }
