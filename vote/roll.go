package vote

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/meeting"
)

// rollMaxAge is how stale a meeting's roll may be when a vote is checked
// against it, so that thousands of votes cost one roll read, not
// thousands. The read is meeting.Service.Roll: one query of five columns
// (a few milliseconds for a thousand members), with the names read apart
// and kept longer (namesMaxAge). Opening and closing a poll read the roll
// afresh, and a change of participants on this node drops it
// (MeetingAccessChanged); a voter the roll refuses is checked again
// against a fresh one, so a late check-in is never refused. The roll only
// screens: the vote writer checks every voter again against the
// participants in the transaction that stores the vote (checkVoters), so
// a stale roll (or another node's change) never lets someone vote who may
// not, nor with another weight.
const rollMaxAge = 2 * time.Second

// member is one participant of a meeting as a poll sees them.
type member struct {
	UserID   string
	FullName string
	Role     meeting.Role
	CanVote  bool
	Weight   int
	State    meeting.State
}

// memberOf is a roll entry as a poll sees it, with the member's name.
func memberOf(e meeting.RollEntry, fullName string) member {
	return member{UserID: e.UserID, FullName: fullName, Role: e.Role, CanVote: e.CanVote, Weight: e.Weight, State: e.State}
}

// attending reports whether the member is checked in, present or remote.
func (m member) attending() bool { return m.State == meeting.Present || m.State == meeting.Remote }

// mayVote reports whether the member may vote under rule e.
func (m member) mayVote(e Eligibility) bool { return m.CanVote && (e == AllMembers || m.attending()) }

// roll is a meeting's participants with their rights and attendance, as
// read at one moment.
type roll struct {
	at      time.Time
	members map[string]member
	names   map[string]string // user id → full name, read at namesAt
	namesAt time.Time
}

// eligible returns the members who may vote under e, plus those who voted
// (who keep counting after they leave), sorted by id.
func (r *roll) eligible(e Eligibility, voted map[string]bool) []member {
	var out []member
	for _, m := range r.members {
		if m.mayVote(e) || voted[m.UserID] {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.UserID, b.UserID) })
	return out
}

// elector is one member of a poll's electorate as it stood at the
// close: who, and their attendance then (unknown for a voter who had
// left the meeting before it).
type elector struct {
	UserID string
	State  meeting.State
}

// electorate counts the poll's electorate at its close and lists it,
// sorted by user id. Everyone who voted counts, with the weight they
// voted with (also those who have left the meeting since, or may no
// longer vote), and so do the members with a vote who have not voted,
// with their weight now: in Members (the base of the rules "of all
// members"), in Present when attending, and in Eligible when the poll's
// eligibility e lets them vote. So a vote that is counted is always in
// the base it is measured against (removing a member who voted yes, or
// lowering their weight, cannot turn a tie into a majority), Voted never
// exceeds Eligible, Present or Eligible never exceed Members, in heads
// or weight, and the list has Eligible entries.
func (r *roll) electorate(e Eligibility, voters []participationRow) (Electorate, []elector) {
	var el Electorate
	voted := make(map[string]bool, len(voters))
	list := make([]elector, 0, len(voters))
	for _, v := range voters {
		voted[v.UserID] = true
		w := int64(v.Weight)
		el.Voted++
		el.VotedWeight += w
		el.Members++
		el.MembersWeight += w
		state := meeting.Unknown // voted, then left the meeting
		if m, ok := r.members[v.UserID]; ok {
			state = m.State
			if m.attending() {
				el.Present++
				el.PresentWeight += w
			}
		}
		list = append(list, elector{UserID: v.UserID, State: state})
	}
	el.Eligible, el.EligibleWeight = el.Voted, el.VotedWeight
	for _, m := range r.members {
		if !m.CanVote || voted[m.UserID] {
			continue
		}
		w := int64(m.Weight)
		el.Members++
		el.MembersWeight += w
		if m.attending() {
			el.Present++
			el.PresentWeight += w
		}
		if m.mayVote(e) {
			el.Eligible++
			el.EligibleWeight += w
			list = append(list, elector{UserID: m.UserID, State: m.State})
		}
	}
	slices.SortFunc(list, func(a, b elector) int { return strings.Compare(a.UserID, b.UserID) })
	return el, list
}

// managers returns the ids of the meeting's chairs and secretaries.
func (r *roll) managers() []string {
	out := []string{}
	for _, m := range r.members {
		if m.Role == meeting.Chair || m.Role == meeting.Secretary {
			out = append(out, m.UserID)
		}
	}
	slices.Sort(out)
	return out
}

// rolls caches each meeting's roll. One reader refreshes a stale roll
// while the others go on with the stale one, so a storm of votes never
// waits for the refresh; only a caller that needs a roll read after a
// given moment (notBefore) waits for one.
type rolls struct {
	src     Meetings
	mu      sync.Mutex
	entries map[string]*rollEntry
}

type rollEntry struct {
	mu      sync.Mutex
	roll    *roll
	reading chan struct{} // non-nil while a read is under way; closed when it ends
	dropped time.Time     // a roll read before this is never served (drop)
}

func newRolls(src Meetings) *rolls { return &rolls{src: src, entries: map[string]*rollEntry{}} }

// get returns the meeting's roll: one read no earlier than notBefore, and
// (when notBefore is zero and another read is under way) possibly older
// than rollMaxAge.
func (rs *rolls) get(ctx context.Context, meetingID string, notBefore time.Time) (*roll, error) {
	e := rs.entry(meetingID)
	for {
		e.mu.Lock()
		r, reading := e.roll, e.reading
		if r != nil && r.at.Before(e.dropped) {
			r = nil // read before the participants changed
		}
		switch {
		case r != nil && !r.at.Before(notBefore) && time.Since(r.at) < rollMaxAge:
			e.mu.Unlock()
			return r, nil
		case r != nil && notBefore.IsZero() && reading != nil:
			e.mu.Unlock()
			return r, nil
		case reading != nil:
			e.mu.Unlock()
			select {
			case <-reading:
				continue
			case <-ctx.Done():
				return nil, apperr.New(apperr.Unavailable, "the request ended while the meeting's roll was read")
			}
		}
		e.reading = make(chan struct{})
		e.mu.Unlock()
		return rs.refresh(ctx, meetingID, e)
	}
}

// refresh reads the roll into e and wakes those waiting for it.
func (rs *rolls) refresh(ctx context.Context, meetingID string, e *rollEntry) (*roll, error) {
	e.mu.Lock()
	old := e.roll
	e.mu.Unlock()
	r, err := rs.read(ctx, meetingID, time.Now(), old)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err == nil {
		e.roll = r
	}
	close(e.reading)
	e.reading = nil
	return r, err
}

// drop forgets the meeting's roll: its participants have changed. The
// next vote reads it afresh, and so does everyone waiting for a read that
// began before now.
func (rs *rolls) drop(meetingID string) {
	rs.mu.Lock()
	e := rs.entries[meetingID]
	rs.mu.Unlock()
	if e == nil {
		return
	}
	e.mu.Lock()
	e.dropped = time.Now()
	e.mu.Unlock()
}

func (rs *rolls) entry(meetingID string) *rollEntry {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.entries) > 1000 { // meetings come and go; forget them all now and then
		clear(rs.entries)
	}
	e := rs.entries[meetingID]
	if e == nil {
		e = &rollEntry{}
		rs.entries[meetingID] = e
	}
	return e
}

// namesMaxAge is how long the members' names are reused across roll
// reads: they are only shown (the chair's list of who has not voted, a
// named poll's votes), and reading them joins the users, which costs ten
// times the roll. A member the names do not cover yet is read at once.
const namesMaxAge = 30 * time.Second

// read reads the meeting's roll (one cheap query) and, when old's names
// are stale or miss someone, the participants' names.
func (rs *rolls) read(ctx context.Context, meetingID string, at time.Time, old *roll) (*roll, error) {
	entries, err := rs.src.Roll(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	r := &roll{at: at, members: make(map[string]member, len(entries))}
	if old != nil && at.Sub(old.namesAt) < namesMaxAge {
		r.names, r.namesAt = old.names, old.namesAt
	}
	for _, e := range entries {
		if _, ok := r.names[e.UserID]; !ok {
			r.names = nil
			break
		}
	}
	if r.names == nil {
		ps, err := rs.src.Participants(ctx, meetingID)
		if err != nil {
			return nil, err
		}
		r.names, r.namesAt = make(map[string]string, len(ps)), at
		for _, p := range ps {
			r.names[p.UserID] = p.FullName
		}
	}
	for _, e := range entries {
		r.members[e.UserID] = memberOf(e, r.names[e.UserID])
	}
	return r, nil
}
