package realtime

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// An audience says who gets an event or a message: nil is everyone, an
// empty list is nobody. These tests prove that both brokers hand the
// audience on as it was given, also after it crossed nodes as JSON, so
// that "nobody" never turns into "everyone" on another node.

// recordingSink is a broker's sink that keeps what it is given.
type recordingSink struct {
	recs []record
	msgs []message
}

func (s *recordingSink) deliver(recs []record) { s.recs = append(s.recs, recs...) }
func (s *recordingSink) message(m message)     { s.msgs = append(s.msgs, m) }
func (s *recordingSink) lost()                 {}

// audiences are the three kinds of audience, by name.
var audiences = []struct {
	name string
	ids  []string
}{{"everyone (nil)", nil}, {"nobody (empty)", []string{}}, {"some", []string{"alice", "bob"}}}

// sameAudience reports whether got is want, telling nil from empty.
func sameAudience(got, want []string) bool {
	return (got == nil) == (want == nil) && slices.Equal(got, want)
}

// TestBrokerKeepsMessageAudience: an ephemeral message reaches the sink
// with the audience it was sent with: in process (localBroker), and on
// another node through PostgreSQL, whole (one NOTIFY) or in parts (a
// message too big for one).
func TestBrokerKeepsMessageAudience(t *testing.T) {
	for _, a := range audiences {
		m := message{Node: "there", MeetingID: "m1", Type: "pointer", Data: json.RawMessage(`{"x":1}`), Audience: a.ids, At: 7}

		local := &recordingSink{}
		if err := (&localBroker{sink: local}).Broadcast(context.Background(), m); err != nil {
			t.Fatal(err)
		}

		whole, err := json.Marshal(note{Msg: &m})
		if err != nil {
			t.Fatal(err)
		}
		remote := &recordingSink{}
		b := &pgBroker{sink: remote, node: "here"}
		if err := b.handle(context.Background(), string(whole)); err != nil {
			t.Fatalf("%s: one notification: %v", a.name, err)
		}
		// The same message in parts, as Broadcast splits one too big for a
		// NOTIFY.
		n := (len(whole) + 2) / 3
		for i := range 3 {
			part := notePart{Node: "there", ID: "1", I: i, N: 3, Data: whole[i*n : min(len(whole), (i+1)*n)]}
			p, err := json.Marshal(note{Part: &part})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.handle(context.Background(), string(p)); err != nil {
				t.Fatalf("%s: part %d: %v", a.name, i, err)
			}
		}

		for how, got := range map[string][]message{"in process": local.msgs, "across nodes": remote.msgs} {
			if how == "across nodes" && len(got) != 2 {
				t.Fatalf("%s across nodes: %d messages, want 2 (whole and in parts)", a.name, len(got))
			}
			for _, g := range got {
				if !sameAudience(g.Audience, a.ids) {
					t.Errorf("a message for %s arrived %s for %#v", a.name, how, g.Audience)
				}
			}
		}
	}
}

// TestBrokerKeepsEventAudience: a sequenced event keeps its audience
// across nodes too: inline in the notification, and as stored (a
// notification too big refers to the stored rows, which another node and
// a replay read back).
func TestBrokerKeepsEventAudience(t *testing.T) {
	for _, a := range audiences {
		rec := record{MeetingID: "m1", Seq: 3, Type: "poll.voters", Data: json.RawMessage(`{}`), Audience: a.ids,
			At: time.Unix(1000, 0).UTC()}

		payload, err := json.Marshal(note{Events: []record{rec}})
		if err != nil {
			t.Fatal(err)
		}
		remote := &recordingSink{}
		if err := (&pgBroker{sink: remote, node: "here"}).handle(context.Background(), string(payload)); err != nil {
			t.Fatal(err)
		}
		if len(remote.recs) != 1 || !sameAudience(remote.recs[0].Audience, a.ids) {
			t.Errorf("an event for %s arrived across nodes as %+v", a.name, remote.recs)
		}

		row, err := toRow(rec)
		if err != nil {
			t.Fatal(err)
		}
		back, err := row.toRecord()
		if err != nil {
			t.Fatal(err)
		}
		if !sameAudience(back.Audience, a.ids) {
			t.Errorf("an event for %s was read back from the store for %#v", a.name, back.Audience)
		}
	}
}
