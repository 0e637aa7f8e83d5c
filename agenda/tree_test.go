package agenda_test

import (
	"slices"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestNumberingAndReorder builds a tree, reorders it in one call and
// moves an item under another parent; numbers follow the order.
func TestNumberingAndReorder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m := cast.Meeting("Tree")
		sec := cast.Secretary
		a := addItem(sec, m, "A", "")
		a1 := addItem(sec, m, "A1", a)
		a2 := addItem(sec, m, "A2", a)
		b1 := addItem(sec, m, "B", "")
		c := addItem(sec, m, "C", "")
		c1 := addItem(sec, m, "C1", c)
		c1x := addItem(sec, m, "C1x", c1)
		ag := readAgenda(cast.Observer, m)
		want := []string{"1 A", "1.1 A1", "1.2 A2", "2 B", "3 C", "3.1 C1", "3.1.1 C1x"}
		if got := outline(ag.Items); !slices.Equal(got, want) {
			t.Fatalf("outline %v, want %v", got, want)
		}
		if ag.PlannedMin != 70 || ag.Items[0].TotalMin != 30 {
			t.Errorf("planned %d, A total %d", ag.PlannedMin, ag.Items[0].TotalMin)
		}
		order := []string{c, c1, c1x, a, a2, a1, b1}
		sec.Must(ok, "PUT", "/api/v1/meetings/"+m+"/agenda/order", map[string]any{"ids": order})
		want = []string{"1 C", "1.1 C1", "1.1.1 C1x", "2 A", "2.1 A2", "2.2 A1", "3 B"}
		if got := outline(readAgenda(sec, m).Items); !slices.Equal(got, want) {
			t.Fatalf("after reorder %v, want %v", got, want)
		}
		sec.Must(ok, "PATCH", "/api/v1/agenda-items/"+b1, map[string]any{"parent_id": a})
		sec.Must(ok, "PATCH", "/api/v1/agenda-items/"+c1, map[string]any{"parent_id": nil})
		want = []string{"1 C", "2 A", "2.1 A2", "2.2 A1", "2.3 B", "3 C1", "3.1 C1x"}
		if got := outline(readAgenda(sec, m).Items); !slices.Equal(got, want) {
			t.Fatalf("after moves %v, want %v", got, want)
		}
		sec.Must(noContent, "DELETE", "/api/v1/agenda-items/"+a, nil)
		want = []string{"1 C", "2 C1", "2.1 C1x"}
		if got := outline(readAgenda(sec, m).Items); !slices.Equal(got, want) {
			t.Fatalf("after deleting A with its sub-items %v, want %v", got, want)
		}
		sec.Must(notFound, "PATCH", "/api/v1/agenda-items/"+a2, map[string]any{"title": "gone"})
	})
}

// TestBadReorder sends reorders that omit, add, repeat or misplace items,
// or name another meeting's item: each is refused and the order stays.
func TestBadReorder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		_, cast := apptest.StartCast(t, b)
		m, other := cast.Meeting("Reorder"), cast.Meeting("Other")
		sec := cast.Secretary
		a := addItem(sec, m, "A", "")
		a1 := addItem(sec, m, "A1", a)
		bb := addItem(sec, m, "B", "")
		foreign := addItem(sec, other, "Foreign", "")
		path := "/api/v1/meetings/" + m + "/agenda/order"
		reorder := func(name string, ids []string) apptest.Refusal {
			return apptest.Refusal{Name: name, As: sec, Method: "PUT", Path: path, Body: map[string]any{"ids": ids}, Want: unprocessable}
		}
		apptest.RunRefusals(t, func() string { return agendaState(cast, m, a) }, []apptest.Refusal{
			reorder("omits an item", []string{bb, a}),
			reorder("adds an unknown id", []string{bb, a, a1, "nosuchitem"}),
			reorder("names another meeting's item", []string{bb, a, foreign}),
			reorder("repeats an item", []string{bb, a, a}),
			reorder("child before its parent", []string{a1, a, bb}),
			reorder("child away from its parent", []string{a, bb, a1}),
			{Name: "no ids", As: sec, Method: "PUT", Path: path, Body: map[string]any{}, Want: invalid},
			{Name: "ids not a list", As: sec, Method: "PUT", Path: path, Body: `{"ids":"` + a + `"}`, Want: invalid},
			{Name: "delegate", As: cast.Delegate, Method: "PUT", Path: path, Body: map[string]any{"ids": []string{bb, a, a1}}, Want: forbidden},
		})
	})
}
