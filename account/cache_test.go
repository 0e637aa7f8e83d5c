package account

import (
	"testing"
	"time"

	"github.com/curia/curia/internal/web"
)

// A session read before a logout (or a disabled user) finishes after it:
// it must not go back into the cache.
func TestSessionCacheIgnoresReadsOlderThanADrop(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	c := newSessionCache(time.Minute, 10, func() time.Time { return now })
	a := web.Actor{UserID: "u1", SessionID: "s1"}

	far := now.Add(time.Hour)
	gen := c.generation()
	c.put("s1", a, gen, far)
	if _, ok := c.get("s1"); !ok {
		t.Fatal("a fresh read was not cached")
	}

	for name, drop := range map[string]func(){
		"logout":        func() { c.drop("s1") },
		"disabled user": func() { c.dropUser("u1") },
	} {
		gen := c.generation()    // the read starts
		drop()                   // the session ends meanwhile
		c.put("s1", a, gen, far) // the read comes back
		if _, ok := c.get("s1"); ok {
			t.Errorf("%s: a read older than the drop put the session back", name)
		}
	}

	now = now.Add(2 * time.Minute)
	c.put("s2", a, c.generation(), now.Add(time.Hour))
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("s2"); ok {
		t.Error("an entry older than the TTL was returned")
	}

	c.put("s3", a, c.generation(), now.Add(10*time.Second)) // the session itself ends in 10 s
	now = now.Add(11 * time.Second)
	if _, ok := c.get("s3"); ok {
		t.Error("a cached session outlived its expiry")
	}
}
