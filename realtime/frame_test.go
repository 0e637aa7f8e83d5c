package realtime

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// An entry decides who gets the event and who a skip exactly as
// event.Event.Visible does, whether it looks users up in the audience
// list or, for a long one, in a set.
func TestFrameForMatchesVisible(t *testing.T) {
	users := make([]string, 60)
	for i := range users {
		users[i] = fmt.Sprintf("u%02d", i)
	}
	audiences := map[string][]string{"everyone": nil, "nobody": {}, "three": users[:3],
		"at the bound": users[:setAbove], "long": users[:40], "long but one": append(append([]string{}, users[:20]...), users[21:45]...)}
	excludes := map[string][]string{"none": nil, "one": {"u01"}, "several": {"u02", "u30", "u59"}}
	for an, aud := range audiences {
		for xn, ex := range excludes {
			rec := record{Seq: 7, Type: "annotations.created", Data: []byte(`{"items":[]}`), Audience: aud, Exclude: ex}
			e := newEntry(rec)
			if (e.allowed != nil) != (len(aud) > setAbove) {
				t.Errorf("%s/%s: set %v for an audience of %d", an, xn, e.allowed != nil, len(aud))
			}
			for _, u := range append(users, "stranger") {
				want := (event.Event{Audience: aud, Exclude: ex}).Visible(u)
				if got := e.frameFor(u) == e.full; got != want {
					t.Errorf("%s/%s: %s gets the event %v, want %v", an, xn, u, got, want)
				}
			}
		}
	}
}

// A batch for a long audience (the readers of a confidential document in
// a big room) reaches exactly its audience, live and on resume, as one
// event: the others get a skip with the same seq.
func TestLongAudienceFanout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		var users, readers []string
		for i := range 30 {
			u := fmt.Sprintf("u%02d", i)
			auth.add("m1", u, "delegate")
			users = append(users, u)
			if i%3 != 0 {
				readers = append(readers, u) // 20 readers: looked up in a set
			}
		}
		n := startNode(t, openDB(t, b), auth, nil)
		clients := map[string]*client{}
		for _, u := range users {
			clients[u] = dial(t, n, "m1", u, "")
			decodeSnap(t, clients[u].next())
		}
		batch := map[string]any{"document_id": "secret-doc", "items": []map[string]any{{"id": "s1"}, {"id": "s2"}, {"id": "s3"}}}
		n.hub.Publish(context.Background(),
			event.Event{MeetingID: "m1", Type: "annotations.created", Data: batch, Audience: readers},
			event.Event{MeetingID: "m1", Type: "annotations.created", Data: map[string]any{"document_id": "open-doc", "items": []any{}}})
		for _, u := range users {
			reader := slices.Contains(readers, u)
			for _, got := range [][]msg{clients[u].events(2), replay(t, n, u)} {
				checkContiguous(t, got, 1)
				if want := map[bool]string{true: "annotations.created", false: "skip"}[reader]; got[0].Type != want {
					t.Errorf("%s (reader %v) got %s %s", u, reader, got[0].Type, got[0].Data)
				}
				if !reader && strings.Contains(string(got[0].Data), "secret") {
					t.Errorf("%s saw %s", u, got[0].Data)
				}
				if reader && strings.Count(string(got[0].Data), `"id"`) != 3 {
					t.Errorf("%s got %s", u, got[0].Data)
				}
				if got[1].Type != "annotations.created" {
					t.Errorf("%s got %s for the open batch", u, got[1].Type)
				}
			}
		}
	})
}
