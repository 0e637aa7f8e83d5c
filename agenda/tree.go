package agenda

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Limits of one agenda.
const (
	MaxDepth    = 3    // 1, 1.1, 1.1.1
	MaxItems    = 500  // items in one meeting
	MaxDuration = 1440 // minutes of one item: a day
)

// ItemStatus is where an item is in the session.
type ItemStatus string

// The statuses of an agenda item.
const (
	Pending ItemStatus = "pending" // not taken up yet
	Current ItemStatus = "current" // being discussed now; one per meeting
	Done    ItemStatus = "done"    // was current, and the session moved on
)

// Item is one agenda item with its sub-items.
type Item struct {
	ID              string     `json:"id"`
	MeetingID       string     `json:"meeting_id"`
	ParentID        *string    `json:"parent_id"`
	Number          string     `json:"number"` // derived from the order: "2.1"
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	Conclusion      string     `json:"conclusion"`   // the chair's conclusion, "" when none yet
	DurationMin     int        `json:"duration_min"` // planned, 0 when not planned
	TotalMin        int        `json:"total_min"`    // planned, with sub-items
	PresenterID     *string    `json:"presenter_id"`
	PresenterName   string     `json:"presenter_name"`
	Status          ItemStatus `json:"status"`
	BecameCurrentAt *time.Time `json:"became_current_at"` // start of the running spell; null for the current item while the meeting is adjourned (its clock stands)
	SpentSec        int        `json:"spent_sec"`         // seconds current in earlier spells (a done item: all); time used is spent_sec + (now − became_current_at), spent_sec alone while became_current_at is null
	CurrentSince    *time.Time `json:"current_since"`     // when it last became the current item, kept through adjournment and resumption (and once done); taken up again, the new time; null if never current
	DoneAt          *time.Time `json:"done_at"`
	Items           []Item     `json:"items"`
}

// Agenda is a meeting's whole agenda.
type Agenda struct {
	MeetingID     string  `json:"meeting_id"`
	Items         []Item  `json:"items"`
	CurrentItemID *string `json:"current_item_id"`
	PlannedMin    int     `json:"planned_min"`
}

// forest groups rows by parent ("" for top level), each group in order.
type forest map[string][]itemRow

func newForest(rows []itemRow) forest {
	f := forest{}
	for _, r := range rows {
		f[r.parent()] = append(f[r.parent()], r)
	}
	for _, kids := range f {
		slices.SortFunc(kids, func(a, b itemRow) int { return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID)) })
	}
	return f
}

// build returns the agenda tree with numbers; names maps presenter ids to names.
func build(meetingID string, rows []itemRow, names map[string]string) Agenda {
	f := newForest(rows)
	ag := Agenda{MeetingID: meetingID, Items: f.items("", "", names)}
	for _, r := range rows {
		ag.PlannedMin += r.DurationMin
		if ItemStatus(r.Status) == Current {
			ag.CurrentItemID = &r.ID
		}
	}
	return ag
}

func (f forest) items(parent, prefix string, names map[string]string) []Item {
	out := make([]Item, 0, len(f[parent]))
	for i, r := range f[parent] {
		it := r.item(prefix+strconv.Itoa(i+1), names)
		it.Items = f.items(r.ID, it.Number+".", names)
		it.TotalMin = it.DurationMin
		for _, c := range it.Items {
			it.TotalMin += c.TotalMin
		}
		out = append(out, it)
	}
	return out
}

// find returns the item with id in a tree.
func find(items []Item, id string) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
		if c, ok := find(it.Items, id); ok {
			return c, true
		}
	}
	return Item{}, false
}

// subtree returns id and every item below it.
func (f forest) subtree(id string) []string {
	out := []string{id}
	for _, c := range f[id] {
		out = append(out, f.subtree(c.ID)...)
	}
	return out
}

// height is the number of levels of id's subtree, 1 for a leaf.
func (f forest) height(id string) int {
	h := 0
	for _, c := range f[id] {
		h = max(h, f.height(c.ID))
	}
	return h + 1
}

// depth is the level of the item with parent, 1 at the top.
func depth(byID map[string]itemRow, parent string) int {
	d := 1
	for parent != "" {
		d++
		parent = byID[parent].parent()
	}
	return d
}

// order checks a reorder: ids must name every item of the meeting once,
// depth-first with each parent before its children and each subtree in
// one run, exactly as the tree is shown. Parents stay as they are. It
// returns the new position of each item among its siblings.
func order(rows []itemRow, ids []string) (map[string]int, error) {
	byID := indexRows(rows)
	if len(ids) != len(rows) {
		return nil, unprocessable("ids must list all %d items of the agenda, each once; got %d", len(rows), len(ids))
	}
	pos := make(map[string]int, len(ids))
	next := map[string]int{}
	var path []string // the ancestors of the next item, top level first
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, unprocessable("ids: %s is not an item of this meeting's agenda", web.Quote(id))
		}
		if _, dup := pos[id]; dup {
			return nil, unprocessable("ids: %s is listed twice", web.Quote(id))
		}
		for len(path) > 0 && path[len(path)-1] != r.parent() {
			path = path[:len(path)-1]
		}
		if r.parent() != "" && len(path) == 0 {
			return nil, unprocessable("ids: %s must come right after its parent's other sub-items, depth-first", web.Quote(id))
		}
		pos[id] = next[r.parent()]
		next[r.parent()]++
		path = append(path, id)
	}
	return pos, nil
}

func indexRows(rows []itemRow) map[string]itemRow {
	m := make(map[string]itemRow, len(rows))
	for _, r := range rows {
		m[r.ID] = r
	}
	return m
}

func unprocessable(format string, args ...any) error {
	return apperr.New(apperr.Unprocessable, format, args...)
}
