package account

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/testdb"
)

// KeepAlive is use of a session without a request (a live connection):
// it keeps the session from going idle, writes the last-seen time at most
// once per touch interval, and reports the sessions that ended.
func TestKeepAlive(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Now().UTC().Truncate(time.Second)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		db := b.Open(t, Migration(), audit.Migration())
		s, err := NewService(db, Config{Hash: FastHashParams(), SessionTTL: time.Hour, IdleTimeout: 10 * time.Minute,
			CacheTTL: -1, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, nil, NewUser{Username: "tablet", Password: "long enough secret", FullName: "Tablet"}, "")
		if err != nil {
			t.Fatal(err)
		}
		open := func() (string, string) {
			sess, err := s.IssueSession(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return sess.Token, tokenHash(sess.Token)
		}
		lastSeen := func(id string) time.Time {
			rows, err := s.store.sessionsWithUsers(ctx, []string{id})
			if err != nil {
				t.Fatal(err)
			}
			return rows[id].LastSeenAt
		}
		live, liveID := open()
		idle, _ := open() // no connection keeps this one in use
		start := clock()

		for range 4 { // 32 minutes without a request, kept in use every 8
			advance(8 * time.Minute)
			ended, err := s.KeepAlive(ctx, []string{liveID})
			if err != nil || len(ended) != 0 {
				t.Fatalf("KeepAlive: ended %v, err %v", ended, err)
			}
		}
		if got := lastSeen(liveID); !got.Equal(clock()) {
			t.Fatalf("last seen %v, want %v", got, clock())
		}
		advance(30 * time.Second) // within the touch interval: no write
		if _, err := s.KeepAlive(ctx, []string{liveID}); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(liveID); !got.Equal(clock().Add(-30 * time.Second)) {
			t.Fatalf("written again within the touch interval: last seen %v", got)
		}
		if _, err := s.Authenticate(ctx, live); err != nil {
			t.Fatalf("a session kept in use was refused after %v: %v", clock().Sub(start), err)
		}
		if _, err := s.Authenticate(ctx, idle); err == nil {
			t.Fatal("the session nobody used was still accepted: the test's idle timeout does not bite")
		}

		gone, endedID := open()
		a, err := s.Authenticate(ctx, gone)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(ctx, a, Client{}); err != nil {
			t.Fatal(err)
		}
		ended, err := s.KeepAlive(ctx, []string{liveID, endedID, "not a session id"})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ended)
		if want := []string{endedID, "not a session id"}; !slices.Equal(ended, slices.Sorted(slices.Values(want))) {
			t.Fatalf("ended %v, want %v", ended, want)
		}

		advance(time.Hour) // past the lifetime, however much in use
		ended, err = s.KeepAlive(ctx, []string{liveID})
		if err != nil || !slices.Equal(ended, []string{liveID}) {
			t.Fatalf("after its lifetime: ended %v, err %v", ended, err)
		}
		if _, err := s.Authenticate(ctx, live); err == nil {
			t.Fatal("an expired session was accepted")
		}
	})
}

// AuthenticateUntil tells the session's lifetime end, from the cache too.
func TestAuthenticateUntil(t *testing.T) {
	ctx := context.Background()
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s, err := NewService(db, Config{Hash: FastHashParams(), SessionTTL: time.Hour, CacheTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, nil, NewUser{Username: "until", Password: "long enough secret", FullName: "Until"}, "")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.IssueSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"database", "cache"} {
		_, until, err := s.AuthenticateUntil(ctx, sess.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !until.Equal(sess.ExpiresAt) {
			t.Fatalf("from the %s: until %v, want %v", from, until, sess.ExpiresAt)
		}
	}
}
