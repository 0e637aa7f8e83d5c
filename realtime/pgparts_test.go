package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A message too big for one NOTIFY crosses nodes in parts and arrives
// whole: a presenter's long stroke for a confidential document with many
// readers.
func TestBigBroadcastCrossesNodes(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	auth.add("m1", "bob", "delegate")
	a, b, _ := twoNodes(t, auth)
	onB := dial(t, b, "m1", "bob", "")
	onB.nextOf("snapshot")
	points := make([][2]float64, 1500)
	for i := range points {
		points[i] = [2]float64{float64(i) + 0.25, 400.75}
	}
	audience := []string{"bob"}
	for i := range 600 {
		audience = append(audience, fmt.Sprintf("reader-%022d", i))
	}
	data := map[string]any{"points": points}
	want, _ := json.Marshal(data)
	if len(want)+len(strings.Join(audience, "")) < 3*maxNotify {
		t.Fatalf("the test message is too small to need parts")
	}
	if err := a.hub.Broadcast(context.Background(), "m1", "pointer", data, audience); err != nil {
		t.Fatal(err)
	}
	if m := onB.nextOf("pointer"); !bytes.Equal(m.Data, want) {
		t.Fatalf("pointer on B: %d bytes, want %d", len(m.Data), len(want))
	}
	// and one still too big is refused plainly, not half sent
	huge := map[string]any{"blob": strings.Repeat("x", maxParts*partBytes)}
	if err := a.hub.Broadcast(context.Background(), "m1", "pointer", huge, nil); err == nil {
		t.Fatal("a message over maxParts parts was sent")
	}
}

func TestAssembleParts(t *testing.T) {
	b := &pgBroker{}
	now := time.Unix(1000, 0)
	part := func(id string, i, n int, d string) *notePart {
		return &notePart{Node: "n1", ID: id, I: i, N: n, Data: []byte(d)}
	}
	for i, d := range []string{"ab", "cd"} {
		got, err := b.assemble(part("1", 1-i, 3, d), now)
		if got != nil || err != nil {
			t.Fatalf("part %d: %q %v", i, got, err)
		}
	}
	if got, err := b.assemble(part("1", 2, 3, "ef"), now); string(got) != "cdabef" || err != nil {
		t.Fatalf("whole: %q %v", got, err)
	}
	if len(b.partials) != 0 {
		t.Fatalf("kept %d partials", len(b.partials))
	}
	for _, p := range []*notePart{part("2", 3, 3, "x"), part("2", -1, 3, "x"), part("2", 0, 1, "x"), part("2", 0, maxParts+1, "x")} {
		if _, err := b.assemble(p, now); err == nil {
			t.Errorf("malformed part %d of %d taken", p.I, p.N)
		}
	}
	// a repeated part, or a count that changes, drops the message
	_, _ = b.assemble(part("3", 0, 2, "a"), now)
	if _, err := b.assemble(part("3", 0, 2, "a"), now); err == nil || len(b.partials) != 0 {
		t.Fatalf("a repeated part: %v, %d kept", err, len(b.partials))
	}
	// parts that never complete are forgotten
	_, _ = b.assemble(part("4", 0, 2, "a"), now)
	_, _ = b.assemble(part("5", 0, 2, "a"), now.Add(partsWait+time.Second))
	if _, ok := b.partials["n1/4"]; ok || len(b.partials) != 1 {
		t.Fatalf("stale parts kept: %v", b.partials)
	}
}
