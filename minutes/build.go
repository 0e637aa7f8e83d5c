package minutes

import (
	"cmp"
	"context"
	"slices"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// Build assembles the minutes of a meeting as the actor may see them. Its
// secretary, its chair and administrators may; another participant is
// Forbidden, and someone who does not take part NotFound, as for every
// other thing in a meeting. Each part is read from the service that keeps
// it, as the actor, so what they may not see (a confidential document's
// title, a named poll's votes before they are due) is left out there.
func (s *Service) Build(ctx context.Context, a web.Actor, meetingID string) (Minutes, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	if !acc.CanManage() {
		return Minutes{}, apperr.Forbiddenf("only the meeting's secretary, its chair or an administrator can export its minutes")
	}
	m, err := s.meetings.Get(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	att, err := s.meetings.Attendance(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	q, err := s.meetings.Quorum(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	ag, err := s.agenda.Agenda(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	documents, err := s.docs.List(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	withheld, err := s.docs.Withheld(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	polls, err := s.polls.List(ctx, a, meetingID)
	if err != nil {
		return Minutes{}, err
	}

	out := Minutes{
		GeneratedAt: s.now(),
		Draft:       m.Status != meeting.Closed,
		Meeting: MeetingInfo{ID: m.ID, Title: m.Title, Status: m.Status, StartsAt: m.StartsAt, Location: m.Location,
			StartedAt: m.StartedAt, ClosedAt: m.ClosedAt},
		Chairs: []Person{}, Secretaries: []Person{}, Participants: []Participant{},
		Quorum: Quorum{Rule: q.Rule.Rule, ByWeight: q.Rule.ByWeight, Present: q.Attending, Remote: q.Remote,
			Eligible: q.Eligible, Required: q.Required, Reached: q.Reached},
	}
	for _, p := range att {
		out.Participants = append(out.Participants, Participant{UserID: p.UserID, FullName: p.FullName, Role: p.Role,
			CanVote: p.CanVote, Attendance: p.State, Reason: p.Reason, CheckedInAt: p.CheckedInAt})
		switch p.Role {
		case meeting.Chair:
			out.Chairs = append(out.Chairs, Person{UserID: p.UserID, FullName: p.FullName})
		case meeting.Secretary:
			out.Secretaries = append(out.Secretaries, Person{UserID: p.UserID, FullName: p.FullName})
		}
	}

	f := filing{docs: map[string][]Document{}, polls: map[string][]Poll{}, withheld: withheld}
	for _, d := range documents {
		f.docs[itemKey(d.AgendaItemID)] = append(f.docs[itemKey(d.AgendaItemID)], document(d))
	}
	for _, p := range polls {
		f.polls[itemKey(p.AgendaItemID)] = append(f.polls[itemKey(p.AgendaItemID)], poll(p))
	}
	if out.Items, err = s.items(ctx, a, ag.Items, f); err != nil {
		return Minutes{}, err
	}
	out.Unfiled = Unfiled{Documents: f.docsOf(""), WithheldDocuments: withheld[""], Polls: f.pollsOf("")}
	return out, nil
}

// filing is what names agenda items, by item id ("" for none).
type filing struct {
	docs     map[string][]Document
	polls    map[string][]Poll
	withheld map[string]int
}

func (f filing) docsOf(id string) []Document {
	if d := f.docs[id]; d != nil {
		return d
	}
	return []Document{}
}

func (f filing) pollsOf(id string) []Poll {
	if p := f.polls[id]; p != nil {
		return p
	}
	return []Poll{}
}

func itemKey(id *string) string {
	if id == nil {
		return ""
	}
	return *id
}

// items turns an agenda tree into the minutes' items, reading each item's
// speakers.
func (s *Service) items(ctx context.Context, a web.Actor, tree []agenda.Item, f filing) ([]Item, error) {
	out := make([]Item, 0, len(tree))
	for _, it := range tree {
		q, err := s.agenda.Speakers(ctx, a, it.ID)
		if err != nil {
			return nil, err
		}
		sub, err := s.items(ctx, a, it.Items, f)
		if err != nil {
			return nil, err
		}
		out = append(out, Item{ID: it.ID, Number: it.Number, Title: it.Title, PresenterID: it.PresenterID,
			PresenterName: it.PresenterName, DurationMin: it.DurationMin, Status: it.Status, Conclusion: it.Conclusion,
			Documents: f.docsOf(it.ID), WithheldDocuments: f.withheld[it.ID], Speakers: floor(q),
			Polls: f.pollsOf(it.ID), Items: sub})
	}
	return out, nil
}

// floor lists who had the floor on an item, in the order they got it:
// the finished turns and the one still running; never those who only
// waited or withdrew.
func floor(q agenda.Queues) []Speaker {
	out := []Speaker{}
	all := q.History
	if q.Active != nil {
		all = append(slices.Clip(all), *q.Active)
	}
	for _, sp := range all {
		if sp.StartedAt == nil {
			continue
		}
		out = append(out, Speaker{UserID: sp.UserID, FullName: sp.FullName, Kind: sp.Kind, StartedAt: *sp.StartedAt,
			FinishedAt: sp.FinishedAt})
	}
	slices.SortStableFunc(out, func(a, b Speaker) int { return a.StartedAt.Compare(b.StartedAt) })
	return out
}

func document(d docs.Document) Document {
	return Document{ID: d.ID, Title: d.Title, Pages: d.Pages, Confidential: d.Confidential}
}

// poll keeps what the minutes record of a poll as the vote service showed
// it: results only once there are some, and the named votes only when it
// gave them (never for a secret poll, whatever it gave).
func poll(p vote.Poll) Poll {
	out := Poll{ID: p.ID, Title: p.Title, Kind: p.Kind, Secret: p.Secret, Status: p.Status, Majority: p.Majority,
		Options: make([]Option, len(p.Options))}
	for i, o := range p.Options {
		out.Options[i] = Option{ID: o.ID, Label: o.Label}
	}
	if p.Status != vote.Closed && p.Status != vote.Published {
		return out
	}
	for _, r := range p.Results {
		out.Results = append(out.Results, Result{Option: r.Option, Label: r.Label, Votes: r.Votes, Weight: r.Weight})
	}
	if e := p.Electorate; e != nil {
		out.Electorate = &Electorate{Members: e.Members, Present: e.Present, Eligible: e.Eligible, Voted: e.Voted}
	}
	out.Outcome = p.Outcome
	if d := p.Decision; d != nil {
		out.Elected, out.Tied = d.Elected, d.Tied
	}
	if !p.Secret {
		for _, v := range p.Votes {
			out.Votes = append(out.Votes, Vote{UserID: v.UserID, FullName: v.FullName, Options: v.Options, Weight: v.Weight})
		}
		slices.SortStableFunc(out.Votes, func(a, b Vote) int {
			return cmp.Or(cmp.Compare(a.FullName, b.FullName), cmp.Compare(a.UserID, b.UserID))
		})
	}
	return out
}
