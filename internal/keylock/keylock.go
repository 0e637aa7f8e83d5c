// Package keylock gives each key (a meeting, a poll) a mutex of its own,
// held only while someone holds or waits for it: work on one key waits
// for that key alone, never for another's.
package keylock

import "sync"

// Map is a set of mutexes by key. The zero value is ready to use.
type Map struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	sync.Mutex
	refs int // holders and waiters; the entry goes when none is left
}

// Lock takes key's mutex and returns its release, to be called once.
func (k *Map) Lock(key string) (unlock func()) {
	e := k.hold(key)
	e.Lock()
	return k.release(key, e)
}

// TryLock takes key's mutex if it is free at once, and returns its
// release; ok is false (and nothing is held) when someone holds it.
func (k *Map) TryLock(key string) (unlock func(), ok bool) {
	e := k.hold(key)
	if !e.TryLock() {
		k.drop(key, e)
		return nil, false
	}
	return k.release(key, e), true
}

// hold returns key's entry, counted as held or waited for.
func (k *Map) hold(key string) *entry {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]*entry{}
	}
	e := k.m[key]
	if e == nil {
		e = &entry{}
		k.m[key] = e
	}
	e.refs++
	return e
}

// drop uncounts e; the entry goes when none is left.
func (k *Map) drop(key string, e *entry) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e.refs--; e.refs == 0 {
		delete(k.m, key)
	}
}

// release is the unlock of e, held.
func (k *Map) release(key string, e *entry) func() {
	return func() {
		e.Unlock()
		k.drop(key, e)
	}
}

// Len is the number of keys held or waited for (for tests).
func (k *Map) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
