package realtime

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRing(t *testing.T) {
	g := newRing(4)
	g.maxBytes = 1000
	push := func(seq int64, size int) {
		g.push(newEntry(record{Seq: seq, Type: "t", Data: []byte(`"` + strings.Repeat("x", size) + `"`)}))
	}
	seqsOf := func(es []*entry) (out []int64) {
		for _, e := range es {
			out = append(out, e.seq)
		}
		return out
	}
	for seq := int64(1); seq <= 6; seq++ {
		push(seq, 10)
	}
	tests := []struct {
		since, head int64
		want        []int64
		ok          bool
	}{
		{since: 6, head: 6, ok: true},
		{since: 2, head: 6, want: []int64{3, 4, 5, 6}, ok: true},
		{since: 4, head: 6, want: []int64{5, 6}, ok: true},
		{since: 1, head: 6}, // 2 fell out: only the count fits
		{since: 4, head: 7}, // the ring does not reach the head
	}
	for _, tt := range tests {
		got, ok := g.after(tt.since, tt.head, time.Time{})
		if ok != tt.ok || !slices.Equal(seqsOf(got), tt.want) {
			t.Errorf("after(%d, %d) = %v, %v; want %v, %v", tt.since, tt.head, seqsOf(got), ok, tt.want, tt.ok)
		}
	}
	push(7, 980) // over 1000 bytes alone: the older ones go, the newest stays
	if got, ok := g.after(5, 7, time.Time{}); ok {
		t.Errorf("after a big event the ring still covers seq 6: %v", seqsOf(got))
	}
	if got, ok := g.after(6, 7, time.Time{}); !ok || !slices.Equal(seqsOf(got), []int64{7}) {
		t.Errorf("after(6, 7) = %v, %v; want [7]", seqsOf(got), ok)
	}
}

// TestRingReplaysNoOlderThanRetention: a room open for days keeps its
// latest events in memory however old they are; a resume from memory
// must not reach further back than the store keeps events (Retention),
// or a state from before an access change could be resumed after the
// hub has forgotten the change (rights.go).
func TestRingReplaysNoOlderThanRetention(t *testing.T) {
	g := newRing(8)
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for seq, at := range []time.Time{day, day.Add(time.Hour), day.Add(30 * time.Hour)} {
		g.push(newEntry(record{Seq: int64(seq + 1), Type: "t", Data: []byte("1"), At: at}))
	}
	notBefore := day.Add(31 * time.Hour).Add(-24 * time.Hour) // now − Retention
	if got, ok := g.after(0, 3, notBefore); ok {
		t.Errorf("replayed from seq 1, published 31 h ago: %d entries", len(got))
	}
	if got, ok := g.after(1, 3, notBefore); ok {
		t.Errorf("replayed from seq 2, published 30 h ago: %d entries", len(got))
	}
	if got, ok := g.after(2, 3, notBefore); !ok || len(got) != 1 {
		t.Errorf("after(2, 3) = %d entries, %v; want seq 3, published an hour ago", len(got), ok)
	}
	if _, ok := g.after(3, 3, notBefore); !ok {
		t.Error("nothing to replay: want ok")
	}
}
