package vote

import (
	"context"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Ballot is the body of POST /polls/{id}/votes: one option id, or, in a
// poll where each voter may mark up to max_choices options, a list.
type Ballot struct {
	Option  string   `json:"option"`
	Options []string `json:"options"`
}

// Receipt acknowledges a recorded vote. It is the same whatever was
// chosen, so not even its size tells the choice.
type Receipt struct {
	PollID string `json:"poll_id"`
	Voted  bool   `json:"voted"`
}

// Cast records the actor's vote. The poll must be open and its meeting in
// session; the actor must have a vote in the meeting and, unless the poll
// is open to all members, be checked in (present or remote). A second
// vote in the same poll is a Conflict: a vote cannot be changed. The
// answer comes once the vote is durably committed. A poll the actor may
// not see (a draft, or one cancelled before it opened, to someone who
// does not manage it) is NotFound, as Get says.
func (s *Service) Cast(ctx context.Context, a web.Actor, pollID string, b Ballot) (Receipt, error) {
	rc, err := s.cast(ctx, a, pollID, b)
	if err != nil {
		err = s.hideRefusal(ctx, a, pollID, err)
	}
	return rc, err
}

// hideRefusal answers a refused vote as Get would answer the actor when
// the poll is hidden from them: NotFound, whatever the refusal said
// ("not open", "no vote", an unknown option…), so a delegate cannot learn
// of a draft by voting in it. The votes are checked without the poll's
// status (the writer reads it under lock), so only a refused vote pays
// for this read. A poll that opened meanwhile keeps the refusal it got.
func (s *Service) hideRefusal(ctx context.Context, a web.Actor, pollID string, err error) error {
	switch apperr.KindOf(err) {
	case apperr.Forbidden, apperr.Conflict, apperr.Invalid, apperr.Unprocessable:
	default: // NotFound already, or not about the poll (unavailable, internal)
		return err
	}
	if _, _, verr := s.visible(ctx, a, pollID); apperr.Is(verr, apperr.NotFound) {
		return errNoPoll()
	}
	return err
}

func (s *Service) cast(ctx context.Context, a web.Actor, pollID string, b Ballot) (Receipt, error) {
	p, err := s.polls.get(ctx, pollID)
	if err != nil {
		return Receipt{}, err
	}
	m, err := s.voter(ctx, a, p)
	if err != nil {
		return Receipt{}, err
	}
	chosen, err := p.choose(b)
	if err != nil {
		return Receipt{}, err
	}
	req := castRequest{PollID: p.ID, MeetingID: p.MeetingID, UserID: a.UserID, Admin: a.IsAdmin, Secret: p.Secret,
		Eligibility: p.Eligibility, Weight: m.Weight, Options: chosen, Entry: s.entry(a, p.MeetingID, "vote.cast", p.ID, nil)}
	if err := s.writer.submit(ctx, req); err != nil {
		return Receipt{}, err
	}
	return Receipt{PollID: p.ID, Voted: true}, nil
}

// voter returns the actor as a member who may vote in p. Someone who does
// not take part (and is no admin) does not see the poll at all. The roll
// checked here may be up to rollMaxAge old (and another node's changes do
// not reach this node's cache), so the vote writer checks every voter
// again, in the transaction that stores the vote (checkVoters).
func (s *Service) voter(ctx context.Context, a web.Actor, p fixedPoll) (member, error) {
	r, err := s.rolls.get(ctx, p.MeetingID, time.Time{})
	if err != nil {
		return member{}, err
	}
	m, ok := r.members[a.UserID]
	if !ok || !m.mayVote(p.Eligibility) { // maybe they just checked in: look again
		if r, err = s.rolls.get(ctx, p.MeetingID, time.Now()); err != nil {
			return member{}, err
		}
		m, ok = r.members[a.UserID]
	}
	if err := refusal(m, ok, a.IsAdmin, p.Eligibility); err != nil {
		return member{}, err
	}
	return m, nil
}

// refusal says why someone may not vote in a poll with eligibility e: m
// as on the roll, ok false when they do not take part. Nil when they may.
func refusal(m member, ok, isAdmin bool, e Eligibility) error {
	switch {
	case !ok && !isAdmin:
		return errNoPoll()
	case !ok:
		return apperr.Forbiddenf("you do not take part in this meeting, so you have no vote in it")
	case !m.CanVote:
		return apperr.Forbiddenf("you have no vote in this meeting")
	case !m.mayVote(e):
		return apperr.Forbiddenf("check in first: only members present in the room or attending remotely may vote")
	}
	return nil
}

// choose checks a ballot against the poll's options and returns the
// chosen option ids.
func (st Settings) choose(b Ballot) ([]string, error) {
	chosen := b.Options
	if b.Option != "" {
		if b.Options != nil {
			return nil, apperr.Invalidf("give either option or options, not both")
		}
		chosen = []string{b.Option}
	}
	if len(chosen) == 0 {
		return nil, apperr.Invalidf(`choose an option: {"option": "<option id>"}`)
	}
	if len(chosen) > st.MaxChoices {
		return nil, apperr.New(apperr.Unprocessable, "too many choices: this poll takes at most %d", st.MaxChoices)
	}
	seen := map[string]bool{}
	for _, id := range chosen {
		if _, ok := st.option(id); !ok {
			return nil, apperr.New(apperr.Unprocessable, "this poll has no option %s", web.Quote(id))
		}
		if seen[id] {
			return nil, apperr.Invalidf("option %s is chosen twice", web.Quote(id))
		}
		seen[id] = true
	}
	return chosen, nil
}
