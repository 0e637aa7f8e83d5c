package vote

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// viewer is who a poll is shown to. The zero viewer is "everyone in the
// meeting": what events carry.
type viewer struct {
	userID  string
	manager bool
}

// Get returns a poll to anyone who takes part in its meeting; a draft
// (also one cancelled before it ever opened) only to those who manage it.
func (s *Service) Get(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	r, v, err := s.visible(ctx, a, pollID)
	if err != nil {
		return Poll{}, err
	}
	return s.view(ctx, r, v)
}

// List returns a meeting's polls, oldest first, as Get shows them.
func (s *Service) List(ctx context.Context, a web.Actor, meetingID string) ([]Poll, error) {
	return s.list(ctx, a, meetingID, func(Status) bool { return true })
}

// OpenPolls returns the meeting's open polls as the actor sees them: the
// voting part of the live snapshot a tablet gets when it connects.
func (s *Service) OpenPolls(ctx context.Context, a web.Actor, meetingID string) ([]Poll, error) {
	return s.list(ctx, a, meetingID, func(st Status) bool { return st == Open })
}

func (s *Service) list(ctx context.Context, a web.Actor, meetingID string, keep func(Status) bool) ([]Poll, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.polls(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	v := viewer{userID: a.UserID, manager: acc.CanRun()}
	out := []Poll{}
	for _, r := range rows {
		if !keep(Status(r.Status)) || (r.managersOnly() && !v.manager) {
			continue
		}
		p, err := s.view(ctx, r, v)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// visible loads a poll the actor may see, and how they see it.
func (s *Service) visible(ctx context.Context, a web.Actor, pollID string) (pollRow, viewer, error) {
	r, err := s.store.poll(ctx, pollID)
	if err != nil {
		return r, viewer{}, err
	}
	acc, err := s.access(ctx, a, r.MeetingID)
	if err != nil {
		return r, viewer{}, err
	}
	v := viewer{userID: a.UserID, manager: acc.CanRun()}
	if r.managersOnly() && !v.manager {
		return r, viewer{}, errNoPoll()
	}
	return r, v, nil
}

// managersOnly reports whether the poll is still its managers' draft: not
// opened yet, or cancelled before it ever opened. Only the chair, the
// secretary and admins see it (over REST, in events and in the replay);
// for everyone else it does not exist.
func (r pollRow) managersOnly() bool {
	st := Status(r.Status)
	return st == Draft || (st == Cancelled && r.OpenedAt == nil)
}

// view renders a poll for v: counts while it runs, the stored result once
// closed, and the named votes to whom they are due.
func (s *Service) view(ctx context.Context, r pollRow, v viewer) (Poll, error) {
	p := Poll{ID: r.ID, MeetingID: r.MeetingID, Settings: r.settings(), Status: Status(r.Status), AgainOf: r.AgainOf,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt,
		PublishedAt: r.PublishedAt, CancelledAt: r.CancelledAt}
	if t := r.tally(); t != nil {
		p.Voted, p.Eligible = t.Electorate.Voted, t.Electorate.Eligible
		if p.Status == Closed || p.Status == Published {
			p.Results, p.Outcome, p.Decision, p.Electorate = t.Results, t.Decision.Outcome, &t.Decision, &t.Electorate
		}
	} else if err := s.countNow(ctx, r, &p); err != nil {
		return Poll{}, err
	}
	if v.userID != "" {
		if err := s.standing(ctx, &p, v.userID); err != nil {
			return Poll{}, err
		}
	}
	if !p.Secret && (p.Status == Published || (p.Status == Closed && v.manager)) {
		votes, err := s.namedVotes(ctx, p.ID, p.MeetingID)
		if err != nil {
			return Poll{}, err
		}
		p.Votes = votes
	}
	return p, nil
}

// countNow fills Voted and Eligible of a poll that has not closed: from
// the live roll, or from the electorate stored when it was cancelled while
// open (the counts of its frozen roll call).
func (s *Service) countNow(ctx context.Context, r pollRow, p *Poll) error {
	var rc RollCall
	var err error
	if r.Frozen {
		rc, err = s.frozenRollCall(ctx, p.ID, p.MeetingID)
	} else {
		rc, err = s.rollCall(ctx, p.ID, p.MeetingID, p.Eligibility)
	}
	p.Voted, p.Eligible = len(rc.Voted), len(rc.Voted)+len(rc.NotVoted)
	return err
}

// standing fills in whether userID has voted and may vote now.
func (s *Service) standing(ctx context.Context, p *Poll, userID string) error {
	voted, err := s.store.hasVoted(ctx, p.ID, userID)
	if err != nil {
		return err
	}
	p.Me.Voted = voted
	if p.Status != Open || voted {
		return nil
	}
	roll, err := s.rolls.get(ctx, p.MeetingID, time.Time{})
	if err != nil {
		return err
	}
	m, ok := roll.members[userID]
	p.Me.CanVote = ok && m.mayVote(p.Eligibility)
	return nil
}

// namedVotes lists who chose what in a named poll, by name.
func (s *Service) namedVotes(ctx context.Context, pollID, meetingID string) ([]NamedVote, error) {
	rows, err := s.store.named(ctx, pollID)
	if err != nil {
		return nil, err
	}
	roll, err := s.rolls.get(ctx, meetingID, time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]NamedVote, len(rows))
	var left []string
	for i, r := range rows {
		out[i] = NamedVote{UserID: r.UserID, FullName: roll.members[r.UserID].FullName, Weight: r.Weight}
		_ = json.Unmarshal([]byte(r.Options), &out[i].Options) // written by recordChoices
		if _, ok := roll.members[r.UserID]; !ok {
			left = append(left, r.UserID)
		}
	}
	names, err := s.leftNames(ctx, left)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if n, ok := names[out[i].UserID]; ok {
			out[i].FullName = n
		}
	}
	slices.SortFunc(out, func(a, b NamedVote) int {
		if c := strings.Compare(a.FullName, b.FullName); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	return out, nil
}

// Voter is one member on a poll's roll call, without their choice.
type Voter struct {
	UserID   string        `json:"user_id"`
	FullName string        `json:"full_name"`
	State    meeting.State `json:"state"`
}

// RollCall is who has voted and who may vote but has not yet.
type RollCall struct {
	PollID   string  `json:"poll_id"`
	Voted    []Voter `json:"voted"`
	NotVoted []Voter `json:"not_voted"`
}

// Voters returns the roll call of a poll to those who manage its meeting:
// who voted and who has not yet, never what anyone chose. Once the poll
// has closed, or was cancelled while open, it is the roll call as it
// stood then.
func (s *Service) Voters(ctx context.Context, a web.Actor, pollID string) (RollCall, error) {
	r, v, err := s.visible(ctx, a, pollID)
	if err != nil {
		return RollCall{}, err
	}
	if !v.manager {
		return RollCall{}, apperr.Forbiddenf("only the meeting's chair or secretary can see who has voted")
	}
	if r.Frozen || r.Tally != "" { // stopped by a close, or by a cancel while open
		return s.frozenRollCall(ctx, r.ID, r.MeetingID)
	}
	return s.rollCall(ctx, r.ID, r.MeetingID, Eligibility(r.Eligibility))
}

// frozenRollCall is the roll call of a poll that has closed: the
// electorate stored by the close, with the attendance it had then, split
// into those who voted and those who did not (no vote is taken after the
// close), so that voted + not_voted is the stored eligible count. Names
// are today's. A poll closed by a version that did not store its
// electorate lists its voters only, with their attendance now, and nobody
// as not having voted: who could have is no longer known.
func (s *Service) frozenRollCall(ctx context.Context, pollID, meetingID string) (RollCall, error) {
	voters, err := s.store.voterIDs(ctx, pollID)
	if err != nil {
		return RollCall{}, err
	}
	electors, err := s.store.electors(ctx, pollID)
	if err != nil {
		return RollCall{}, err
	}
	roll, err := s.rolls.get(ctx, meetingID, time.Time{})
	if err != nil {
		return RollCall{}, err
	}
	electorate := make([]Voter, len(electors))
	for i, e := range electors {
		electorate[i] = Voter{UserID: e.UserID, FullName: roll.members[e.UserID].FullName, State: e.State}
	}
	return s.splitRollCall(ctx, pollID, roll, electorate, voters)
}

func (s *Service) rollCall(ctx context.Context, pollID, meetingID string, e Eligibility) (RollCall, error) {
	voters, err := s.store.voterIDs(ctx, pollID)
	if err != nil {
		return RollCall{}, err
	}
	roll, err := s.rolls.get(ctx, meetingID, time.Time{})
	if err != nil {
		return RollCall{}, err
	}
	voted := make(map[string]bool, len(voters))
	for _, id := range voters {
		voted[id] = true
	}
	eligible := roll.eligible(e, voted)
	electorate := make([]Voter, len(eligible))
	for i, m := range eligible {
		electorate[i] = Voter{UserID: m.UserID, FullName: m.FullName, State: m.State}
	}
	return s.splitRollCall(ctx, pollID, roll, electorate, voters)
}

// splitRollCall splits electorate, in its order, into who voted (voters)
// and who has not; voters it does not list follow, sorted by id, with
// their attendance on the roll (unknown when they have left the meeting).
// Whoever the roll no longer lists is named from their user account.
func (s *Service) splitRollCall(ctx context.Context, pollID string, roll *roll, electorate []Voter, voters []string) (RollCall, error) {
	voted := make(map[string]bool, len(voters))
	for _, id := range voters {
		voted[id] = true
	}
	rc := RollCall{PollID: pollID, Voted: []Voter{}, NotVoted: []Voter{}}
	for _, v := range electorate {
		if voted[v.UserID] {
			rc.Voted = append(rc.Voted, v)
			delete(voted, v.UserID)
		} else {
			rc.NotVoted = append(rc.NotVoted, v)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(voted)) {
		m, ok := roll.members[id]
		if !ok {
			m.State = meeting.Unknown
		}
		rc.Voted = append(rc.Voted, Voter{UserID: id, FullName: m.FullName, State: m.State})
	}
	var left []string // no longer on the roll: named from their user account
	for _, list := range [][]Voter{rc.Voted, rc.NotVoted} {
		for _, v := range list {
			if _, ok := roll.members[v.UserID]; !ok {
				left = append(left, v.UserID)
			}
		}
	}
	names, err := s.leftNames(ctx, left)
	if err != nil {
		return RollCall{}, err
	}
	for _, list := range [][]Voter{rc.Voted, rc.NotVoted} {
		for i := range list {
			if n, ok := names[list[i].UserID]; ok {
				list[i].FullName = n
			}
		}
	}
	return rc, nil
}

// leftNames names voters who have left the meeting since they voted: the
// roll no longer lists them, but their vote still counts and, in a named
// poll, shows who cast it. None have, mostly: then it reads nothing.
func (s *Service) leftNames(ctx context.Context, userIDs []string) (map[string]string, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	return s.meetings.Names(ctx, userIDs)
}

// Progress is the poll.progress event: how many have voted out of how many may.
type Progress struct {
	PollID   string `json:"poll_id"`
	Voted    int    `json:"voted"`
	Eligible int    `json:"eligible"`
}

// sendProgress publishes a running poll's progress to everyone and its
// roll call to the managers only; nothing once the poll has stopped (see
// Service.stops). While the poll's close or cancel holds its lock it
// sends nothing and returns false: the one sender goroutine must not wait
// for it, or every other poll's progress would wait too; it is tried
// again after an interval (and dropped if the close went through).
func (s *Service) sendProgress(ctx context.Context, pollID, meetingID string) bool {
	unlock, ok := s.stops.TryLock(pollID)
	if !ok {
		return false
	}
	defer unlock()
	r, err := s.store.poll(ctx, pollID)
	if err == nil && Status(r.Status) != Open {
		return true
	}
	p, err := s.polls.get(ctx, pollID)
	if err == nil {
		var rc RollCall
		if rc, err = s.rollCall(ctx, pollID, meetingID, p.Eligibility); err == nil {
			s.publishProgress(ctx, meetingID, rc)
			return true
		}
	}
	s.log.WarnContext(ctx, "poll progress not sent", "poll_id", pollID, "err", err)
	return true
}

// Waiting is the poll.voters event, for managers only: who may vote in a
// running poll and has not yet.
type Waiting struct {
	PollID   string  `json:"poll_id"`
	NotVoted []Voter `json:"not_voted"`
}

func (s *Service) publishProgress(ctx context.Context, meetingID string, rc RollCall) {
	managers, err := s.managerIDs(ctx, meetingID)
	if err != nil {
		return
	}
	pr := Progress{PollID: rc.PollID, Voted: len(rc.Voted), Eligible: len(rc.Voted) + len(rc.NotVoted)}
	s.publish(ctx, meetingID, "poll.progress", pr, nil)
	s.publish(ctx, meetingID, "poll.voters", Waiting{PollID: rc.PollID, NotVoted: rc.NotVoted}, managers)
}
