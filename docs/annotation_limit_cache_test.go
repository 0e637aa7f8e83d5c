package docs

import (
	"testing"
	"time"
)

// The cache of authors' counts answers only for the pages it read, only
// while fresh, with this node's creates added, and starts again when full.
func TestLimitCache(t *testing.T) {
	var c limitCache
	k := limitKey{author: "u1", doc: "d1", version: 1}
	now := time.Now()
	if _, ok := c.get(k, []int{1}, now); ok {
		t.Fatal("an empty cache answered")
	}
	c.read(k, &limitCount{total: 7, byPage: map[int]int{1: 3, 2: 4}}, []int{1, 2}, now)
	c.added(k, 1)
	c.added(k, 5) // a page not read: counted in the total only
	got, ok := c.get(k, []int{1, 2}, now.Add(time.Second))
	if !ok || got.total != 9 || got.byPage[1] != 4 || got.byPage[2] != 4 {
		t.Fatalf("after two creates: %+v %v, want total 9, page 1: 4, page 2: 4", got, ok)
	}
	if _, ok := c.get(k, []int{1, 5}, now); ok {
		t.Error("answered for a page it never read")
	}
	if _, ok := c.get(k, []int{1}, now.Add(limitCacheTTL+time.Millisecond)); ok {
		t.Error("answered after its time")
	}
	got.total = 100 // a copy: the caller's changes stay with the caller
	if again, _ := c.get(k, []int{1}, now); again.total != 9 {
		t.Errorf("the cache changed through a copy: %d", again.total)
	}
	c.added(limitKey{author: "u2", doc: "d1", version: 1}, 1) // never read: nothing to add to
	if _, ok := c.get(limitKey{author: "u2", doc: "d1", version: 1}, []int{1}, now); ok {
		t.Error("an author never read answered")
	}
}
