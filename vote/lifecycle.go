package vote

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// CreatePoll prepares a draft poll in a meeting that is not closed; its chair,
// its secretary or an admin may. An agenda item of another meeting is
// Unprocessable.
func (s *Service) CreatePoll(ctx context.Context, a web.Actor, meetingID string, in NewPoll) (Poll, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return Poll{}, err
	}
	if !acc.CanRun() {
		return Poll{}, apperr.Forbiddenf("only the meeting's chair or secretary can prepare a poll")
	}
	st, err := in.settings()
	if err != nil {
		return Poll{}, err
	}
	if err := s.checkItem(ctx, meetingID, &st); err != nil {
		return Poll{}, err
	}
	return s.create(ctx, a, meetingID, st, nil)
}

// checkItem checks that the poll's agenda item, if any, is of the meeting;
// createPoll checks it again in its transaction.
func (s *Service) checkItem(ctx context.Context, meetingID string, st *Settings) error {
	if st.AgendaItemID == nil || *st.AgendaItemID == "" {
		st.AgendaItemID = nil
		return nil
	}
	m, err := s.agenda.MeetingOf(ctx, *st.AgendaItemID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && m != meetingID) {
		return errNotAnItem()
	}
	return err
}

func errNotAnItem() error {
	return apperr.New(apperr.Unprocessable, "agenda_item_id is not an agenda item of this meeting")
}

func (s *Service) create(ctx context.Context, a web.Actor, meetingID string, st Settings, againOf *string) (Poll, error) {
	r := newPollRow(ids.New(), meetingID, a.UserID, st, s.now())
	r.AgainOf = againOf
	detail := map[string]any{"title": st.Title, "kind": st.Kind, "secret": st.Secret, "majority": st.Majority}
	if againOf != nil {
		detail["again_of"] = *againOf
	}
	e := s.entry(a, meetingID, "poll.created", r.ID, detail)
	if err := s.writer.do(ctx, func(ctx context.Context, w *store) error { return w.createPoll(ctx, r, st.Options, e) }); err != nil {
		return Poll{}, err
	}
	p, err := s.view(ctx, r, viewer{userID: a.UserID, manager: true})
	if err == nil {
		s.announce(ctx, r, "poll.created")
	}
	return p, err
}

// VoteAgain creates a new draft poll with the settings of a finished one (a
// tie, a cancelled vote): "vote again".
func (s *Service) VoteAgain(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	r, err := s.managed(ctx, a, pollID)
	if err != nil {
		return Poll{}, err
	}
	if st := Status(r.Status); st == Draft || st == Open {
		return Poll{}, apperr.Conflictf("the poll is still %s: close or cancel it before voting again", st)
	}
	return s.create(ctx, a, r.MeetingID, r.settings(), &r.ID)
}

// OpenPoll starts taking votes; the meeting must be in session. Opening an
// open poll changes nothing and answers as the first time did. Votes are
// checked against the meeting's roll as read here, or later.
func (s *Service) OpenPoll(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	return s.step(ctx, a, pollID, "poll.opened", false, func(r pollRow, ms meeting.Status, _ *votesSoFar) (decision, error) {
		switch Status(r.Status) {
		case Open:
			return decision{}, nil
		case Draft:
		default:
			return decision{}, apperr.Conflictf("a %s poll cannot be opened again; use \"vote again\" for a new one", r.Status)
		}
		if ms != meeting.Live {
			return decision{}, apperr.Conflictf("a poll opens when the meeting is in session (it is %s)", ms)
		}
		return s.decided(a, r, "poll.opened", map[string]any{"status": string(Open), "opened_at": s.now()}, nil), nil
	})
}

// ClosePoll stops the votes, counts them and stores the result with the
// electorate as it is now: the roll is read in the closing transaction,
// so a change of participants is counted if it committed before, and
// waits otherwise. Who made up that electorate (and their attendance) is
// stored with it, so the poll's roll call stays as it was at the close.
// Every vote acknowledged before the close is counted, and none is taken
// after it. Closing a closed poll changes nothing.
func (s *Service) ClosePoll(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	return s.step(ctx, a, pollID, "poll.closed", true, func(r pollRow, _ meeting.Status, v *votesSoFar) (decision, error) {
		switch Status(r.Status) {
		case Closed, Published:
			return decision{}, nil
		case Open:
		default:
			return decision{}, apperr.Conflictf("a %s poll cannot be closed", r.Status)
		}
		st := r.settings()
		el, electors := v.roll.electorate(st.Eligibility, v.voters)
		t := tally(st, v.counts, el)
		b, err := json.Marshal(t)
		if err != nil {
			return decision{}, apperr.Internalf(err, "encode results")
		}
		f := map[string]any{"status": string(Closed), "closed_at": s.now(), "tally": string(b), "frozen": true}
		d := s.decided(a, r, "poll.closed", f, map[string]any{"voted": t.Electorate.Voted, "outcome": t.Decision.Outcome})
		d.electors = electors
		return d, nil
	})
}

// PublishPoll announces a closed poll's results; in a named poll everyone may
// then see who chose what. Publishing twice changes nothing.
func (s *Service) PublishPoll(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	return s.step(ctx, a, pollID, "poll.published", false, func(r pollRow, _ meeting.Status, _ *votesSoFar) (decision, error) {
		switch Status(r.Status) {
		case Published:
			return decision{}, nil
		case Closed:
			return s.decided(a, r, "poll.published", map[string]any{"status": string(Published), "published_at": s.now()}, nil), nil
		}
		return decision{}, apperr.Conflictf("only a closed poll can be published (this one is %s)", r.Status)
	})
}

// CancelPoll voids a poll that is not yet published; its votes are kept for
// the record but no result is shown. An open poll's electorate is stored
// as a close stores it, so that its roll call stays as it was when the
// votes stopped. Cancelling twice changes nothing.
func (s *Service) CancelPoll(ctx context.Context, a web.Actor, pollID string) (Poll, error) {
	return s.step(ctx, a, pollID, "poll.cancelled", true, func(r pollRow, _ meeting.Status, v *votesSoFar) (decision, error) {
		switch Status(r.Status) {
		case Cancelled:
			return decision{}, nil
		case Published:
			return decision{}, apperr.Conflictf("a published poll cannot be cancelled")
		}
		f := map[string]any{"status": string(Cancelled), "cancelled_at": s.now()}
		var electors []elector
		if v != nil { // open: v holds its votes and the roll, read under lock
			_, electors = v.roll.electorate(r.settings().Eligibility, v.voters)
			f["frozen"] = true
		}
		d := s.decided(a, r, "poll.cancelled", f, map[string]any{"was": r.Status})
		d.electors = electors
		return d, nil
	})
}

// step runs one lifecycle change as a manager of the poll's meeting and,
// when it changed something, announces it as typ; a close or a cancel
// that changed the poll first drops its pending poll.progress (its own
// event says it all). A refused or repeated step changes nothing, so the
// progress of the votes just before it still goes out. withVotes asks
// for the votes of an open poll and the meeting's roll, read in the
// transaction (a close, or the cancel of an open poll, freezes the
// electorate as it is); the other steps
// read the cached roll afresh first, so that votes after an open see who
// may vote as of the open.
func (s *Service) step(ctx context.Context, a web.Actor, pollID, typ string, withVotes bool, decide decideFunc) (Poll, error) {
	r, err := s.managed(ctx, a, pollID)
	if err != nil {
		return Poll{}, err
	}
	if !withVotes {
		if _, err := s.rolls.get(ctx, r.MeetingID, time.Now()); err != nil {
			return Poll{}, err
		}
	}
	if typ == "poll.closed" || typ == "poll.cancelled" {
		defer s.stops.Lock(pollID)()
	}
	var changed bool
	err = s.writer.do(ctx, func(ctx context.Context, w *store) error {
		var err error
		r, changed, err = w.change(ctx, pollID, withVotes, decide)
		return err
	})
	if err != nil {
		return Poll{}, err
	}
	if changed && (typ == "poll.closed" || typ == "poll.cancelled") {
		s.progress.forget(pollID)
	}
	p, err := s.view(ctx, r, viewer{userID: a.UserID, manager: true})
	if err == nil && changed {
		s.announce(ctx, r, typ)
	}
	return p, err
}

// managed loads a poll for someone who must manage its meeting.
func (s *Service) managed(ctx context.Context, a web.Actor, pollID string) (pollRow, error) {
	r, err := s.store.poll(ctx, pollID)
	if err != nil {
		return r, err
	}
	_, err = s.manager(ctx, a, r.MeetingID)
	return r, err
}

func (s *Service) decided(a web.Actor, r pollRow, action string, fields map[string]any, detail map[string]any) decision {
	return decision{fields: fields, entry: s.entry(a, r.MeetingID, action, r.ID, detail)}
}

// announce publishes a poll's new state as everyone may see it; a draft
// (created, or cancelled before it opened) only to the managers.
func (s *Service) announce(ctx context.Context, r pollRow, typ string) {
	p, err := s.view(ctx, r, viewer{})
	if err != nil {
		s.log.WarnContext(ctx, "poll event not sent", "poll_id", r.ID, "type", typ, "err", err)
		return
	}
	var audience []string
	if r.managersOnly() {
		if audience, err = s.managerIDs(ctx, r.MeetingID); err != nil {
			return
		}
	}
	s.publish(ctx, r.MeetingID, typ, p, audience)
}

func (s *Service) managerIDs(ctx context.Context, meetingID string) ([]string, error) {
	roll, err := s.rolls.get(ctx, meetingID, time.Time{})
	if err != nil {
		return nil, err
	}
	return roll.managers(), nil
}

// MeetingCloseGuard refuses to close a meeting while one of its polls is
// open: a poll must not stay open forever in a meeting that can no longer
// take votes. The wiring registers it with meeting.Service.AddCloseGuard;
// it runs in the closing transaction, after the meeting row is locked.
// An open, which reads the meeting's status under a shared lock of the
// same row, therefore either committed before (and is seen here) or sees
// the meeting closed and is refused.
func (s *Service) MeetingCloseGuard(ctx context.Context, tx *gorm.DB, meetingID string) error {
	n, err := countOpen(tx.WithContext(ctx), meetingID)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.Conflictf("a vote is still open in this meeting: close or cancel the open vote first")
	}
	return nil
}
