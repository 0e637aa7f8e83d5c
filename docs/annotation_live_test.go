package docs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/testdb"
)

// Creates written in one group commit go out as one annotations.created
// event per document and audience, through the real hub: every tablet
// gets exactly the annotations it may see, once, with contiguous seqs
// (a skip for each event it may not see); a confidential document's
// strokes never reach a non-reader although they were written together
// with open ones; private ones reach only their author's sessions; and a
// tablet that resumes with since gets each batch once.
func TestAnnotationsCreatedLive(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		tablets := map[string]*apptest.LiveConn{
			"author": r.c.Delegate.Live(r.m, ""), "author laptop": r.c.Delegate.Live(r.m, ""),
			"other": r.other.Live(r.m, ""), "observer": r.c.Observer.Live(r.m, ""), "chair": r.c.Chair.Live(r.m, ""),
		}
		var start int64
		epochs := map[string]string{} // each viewer's own: it names their rights too
		for who, l := range tablets {
			m := l.Next()
			var snap struct{ Epoch string }
			if m.Type != "snapshot" || json.Unmarshal(m.Data, &snap) != nil {
				t.Fatalf("%s: first message %s %s", who, m.Type, m.Data)
			}
			start, epochs[who] = m.Seq, snap.Epoch // the same seq for all: nothing is published meanwhile
		}

		openPath, confPath := annotationsPath(r.open.ID), annotationsPath(r.conf.ID)
		posts := []struct {
			who  *apptest.Client
			path string
			body any
		}{
			{r.c.Delegate, openPath, map[string]any{"annotations": []any{ink("open-a1", 1, true), ink("open-a2", 2, true)}}},
			{r.other, openPath, ink("open-b", 1, true)},
			{r.c.Delegate, confPath, ink("conf-a", 1, true)},
			{r.c.Delegate, openPath, ink("mine-a", 3, false)},
			{r.other, openPath, ink("mine-b", 3, false)},
		}
		docs.GatherNext(r.s.App.Docs, len(posts))
		var wg sync.WaitGroup
		for _, p := range posts {
			wg.Go(func() { p.who.Must(http.StatusCreated, "POST", p.path, p.body) })
		}
		wg.Wait()
		evs := apptest.Drain(r.rec)
		if len(evs) != 4 || !onceEach(createdIDs(evs), "open-a1", "open-a2", "open-b", "conf-a", "mine-a", "mine-b") {
			t.Fatalf("one group commit published %d events: %v", len(evs), createdIDs(evs))
		}

		openShared := []string{"open-a1", "open-a2", "open-b"}
		want := map[string][]string{
			"author":        append(slices.Clone(openShared), "conf-a", "mine-a"),
			"author laptop": append(slices.Clone(openShared), "conf-a", "mine-a"),
			"other":         append(slices.Clone(openShared), "conf-a", "mine-b"),
			"observer":      openShared, // no reader of the confidential document
			"chair":         append(slices.Clone(openShared), "conf-a"),
		}
		for who, l := range tablets {
			checkBatch(t, who, l, start, want[who], r.conf.ID)
		}

		// Resuming from before the batch replays it once, as it was.
		for _, who := range []string{"observer", "other"} {
			c := map[string]*apptest.Client{"observer": r.c.Observer, "other": r.other}[who]
			l := c.Live(r.m, fmt.Sprintf("since=%d&epoch=%s", start, epochs[who]))
			var snap struct{ Resumed bool }
			if m := l.Next(); m.Type != "snapshot" || json.Unmarshal(m.Data, &snap) != nil || !snap.Resumed {
				t.Fatalf("%s resuming: %s %s", who, m.Type, m.Data)
			}
			checkBatch(t, who+" resuming", l, start, want[who], r.conf.ID)
		}
	})
}

// checkBatch reads the four sequenced messages after seq start and
// checks that they are contiguous, that the annotations in them are
// want, once each, that nothing names the hidden document unless want
// has its annotation, and that nothing sequenced follows.
func checkBatch(t *testing.T, who string, l *apptest.LiveConn, start int64, want []string, hiddenDoc string) {
	t.Helper()
	got := map[string]int{}
	mayKnow := slices.Contains(want, "conf-a")
	for seq := start + 1; seq <= start+4; seq++ {
		raw, m := nextSequenced(t, l)
		if m.Seq != seq {
			t.Fatalf("%s: seq %d, want %d", who, m.Seq, seq)
		}
		if !mayKnow && bytes.Contains(raw, []byte(hiddenDoc)) {
			t.Errorf("%s: received the confidential document's annotation: %s", who, raw)
		}
		switch m.Type {
		case "skip":
			if m.Data != nil {
				t.Errorf("%s: a skip with data: %s", who, raw)
			}
		case "annotations.created":
			var data docs.AnnotationsCreated
			if err := json.Unmarshal(m.Data, &data); err != nil || len(data.Items) == 0 {
				t.Fatalf("%s: %s (%v)", who, raw, err)
			}
			for _, a := range data.Items {
				if a.DocumentID != data.DocumentID || a.Rev != 1 || len(a.Data) == 0 {
					t.Errorf("%s: item %+v in an event of document %s", who, a, data.DocumentID)
				}
				got[a.ID]++
			}
		default:
			t.Errorf("%s: unexpected %s", who, raw)
		}
	}
	if !onceEach(got, want...) {
		t.Errorf("%s received %v, want %v once each", who, got, want)
	}
	_ = l.Conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		_, raw, err := l.Conn.ReadMessage()
		if err != nil {
			break // nothing more within the deadline
		}
		if bytes.Contains(raw, []byte(`"seq"`)) {
			t.Errorf("%s: more after the batch: %s", who, raw)
		}
	}
}

// nextSequenced returns the next message with a seq, skipping presence
// and other ephemeral messages.
func nextSequenced(t *testing.T, l *apptest.LiveConn) ([]byte, apptest.Message) {
	t.Helper()
	for range 100 {
		_ = l.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, raw, err := l.Conn.ReadMessage()
		if err != nil {
			t.Fatalf("read live message: %v", err)
		}
		var m apptest.Message
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("not JSON: %s", raw)
		}
		if m.Seq > 0 {
			return raw, m
		}
	}
	t.Fatal("no sequenced message")
	return nil, apptest.Message{}
}

// What Annotate reads about a document is reused for a moment, but a
// change made through the documents service takes effect at once: a
// reader taken off a confidential document's list cannot annotate it
// any more, not even privately, and a new version is annotated at once.
func TestAnnotationAccessChangeAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		path := annotationsPath(r.conf.ID)
		r.other.Must(http.StatusCreated, "POST", path, ink("before", 1, false))
		r.c.Secretary.Must(http.StatusOK, "PUT", "/api/v1/documents/"+r.conf.ID+"/access", map[string]any{"user_ids": []string{r.c.Delegate.UserID}})
		if res := r.other.Do("POST", path, ink("after", 1, false)); res.Status != http.StatusNotFound {
			t.Errorf("a former reader annotated: %d %s", res.Status, res.Body)
		}
		r.c.Delegate.Must(http.StatusCreated, "POST", path, ink("still", 1, true))
		evs := apptest.Drain(r.rec)
		for _, e := range evs {
			if e.Type == "annotations.created" && e.Visible(r.other.UserID) && createdIDs([]event.Event{e})["still"] > 0 {
				t.Errorf("a former reader is in the audience of %+v", e)
			}
		}
	})
}

// A big batch is announced in events of at most 100 annotations, in the
// order they were sent.
func TestAnnotationsCreatedSplit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		var list []any
		var ids []string
		for i := range 250 {
			ids = append(ids, fmt.Sprintf("big-%03d", i))
			list = append(list, ink(ids[i], 1+i%4, true))
		}
		r.c.Delegate.Must(http.StatusCreated, "POST", annotationsPath(r.open.ID), map[string]any{"annotations": list})
		evs := apptest.Drain(r.rec)
		var got []string
		var sizes []int
		for _, e := range evs {
			items := e.Data.(docs.AnnotationsCreated).Items
			sizes = append(sizes, len(items))
			for _, a := range items {
				got = append(got, a.ID)
			}
		}
		if !slices.Equal(sizes, []int{100, 100, 50}) || !slices.Equal(got, ids) {
			t.Errorf("events of %v annotations, in order %v", sizes, slices.Equal(got, ids))
		}
	})
}
