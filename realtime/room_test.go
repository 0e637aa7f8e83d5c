package realtime

import (
	"slices"
	"strings"
	"testing"
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
		got, ok := g.after(tt.since, tt.head)
		if ok != tt.ok || !slices.Equal(seqsOf(got), tt.want) {
			t.Errorf("after(%d, %d) = %v, %v; want %v, %v", tt.since, tt.head, seqsOf(got), ok, tt.want, tt.ok)
		}
	}
	push(7, 980) // over 1000 bytes alone: the older ones go, the newest stays
	if got, ok := g.after(5, 7); ok {
		t.Errorf("after a big event the ring still covers seq 6: %v", seqsOf(got))
	}
	if got, ok := g.after(6, 7); !ok || !slices.Equal(seqsOf(got), []int64{7}) {
		t.Errorf("after(6, 7) = %v, %v; want [7]", seqsOf(got), ok)
	}
}
