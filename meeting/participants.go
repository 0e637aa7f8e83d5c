package meeting

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Participant is a user's place in a meeting.
type Participant struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	FullName string    `json:"full_name"`
	Role     Role      `json:"role"`
	CanVote  bool      `json:"can_vote"`
	Weight   int       `json:"weight"`
	AddedAt  time.Time `json:"added_at"`
}

// ParticipantInput is the input of PutParticipant. It replaces the
// participant's role and rights: an omitted can_vote takes the role's
// default (true for chair and delegate) and an omitted weight is 1.
type ParticipantInput struct {
	Role    string `json:"role"`
	CanVote *bool  `json:"can_vote"`
	Weight  *int   `json:"weight"`
}

// MaxWeight is the largest voting weight of one participant.
const MaxWeight = 1000

func (in ParticipantInput) validate() (Role, bool, int, error) {
	role, err := ParseRole(in.Role)
	if err != nil {
		return "", false, 0, err
	}
	canVote := role.votesByDefault()
	if in.CanVote != nil {
		canVote = *in.CanVote
	}
	if role == Observer && canVote {
		return "", false, 0, apperr.Invalidf("an observer cannot have a vote")
	}
	weight := 1
	if in.Weight != nil {
		weight = *in.Weight
	}
	if weight < 1 || weight > MaxWeight {
		return "", false, 0, apperr.Invalidf("weight must be a whole number from 1 to %d", MaxWeight)
	}
	return role, canVote, weight, nil
}

// PutParticipant adds a user to the meeting or changes their role and
// rights; it reports whether the user was added. The secretary, the chair
// or an admin may. An unknown user is NotFound; taking the secretary role
// from the last secretary is a Conflict.
func (s *Service) PutParticipant(ctx context.Context, a web.Actor, meetingID, userID string, in ParticipantInput) (Participant, bool, error) {
	if _, err := s.manager(ctx, a, meetingID); err != nil {
		return Participant{}, false, err
	}
	role, canVote, weight, err := in.validate()
	if err != nil {
		return Participant{}, false, err
	}
	if err := s.userExists(ctx, userID); err != nil {
		return Participant{}, false, err
	}
	row := participantRow{MeetingID: meetingID, UserID: userID, Role: string(role), CanVote: canVote, Weight: weight, AddedAt: s.now()}
	e := s.entry(a, meetingID, "participant.set", "user:"+userID, map[string]any{"role": role, "can_vote": canVote, "weight": weight})
	created, changed, err := s.store.putParticipant(ctx, row, e)
	if err != nil {
		return Participant{}, false, err
	}
	if !changed { // the same role, vote and weight: nothing to tell anyone
		p, err := s.Participant(ctx, meetingID, userID)
		return p, false, err
	}
	s.changed(ctx, meetingID)
	// Their live connections go first, before anything is published: they
	// reconnect in their new role, and what others publish meanwhile
	// reaches them as what they now are.
	s.removed(ctx, meetingID, userID)
	list := s.rollChanged(ctx, meetingID)
	for _, p := range list {
		if p.UserID == userID {
			return p, created, nil
		}
	}
	return Participant{UserID: userID, Role: role, CanVote: canVote, Weight: weight, AddedAt: row.AddedAt}, created, nil
}

// RemoveParticipant takes a user out of the meeting, with their
// attendance record. Removing the last secretary is a Conflict.
func (s *Service) RemoveParticipant(ctx context.Context, a web.Actor, meetingID, userID string) error {
	if _, err := s.manager(ctx, a, meetingID); err != nil {
		return err
	}
	e := s.entry(a, meetingID, "participant.removed", "user:"+userID, nil)
	after, err := s.store.removeParticipant(ctx, a, meetingID, userID, e, &s.leaveHooks)
	if err != nil {
		return err
	}
	s.changed(ctx, meetingID)
	s.removed(ctx, meetingID, userID) // first: they get nothing published after the commit
	s.rollChanged(ctx, meetingID)
	runAfter(ctx, after) // after removed: they no longer get what the hooks announce
	return nil
}

// rollChanged publishes the participant list as it is now
// (participants.changed), then the quorum (quorum.changed): who counts, or
// how, has changed. Both are read afresh in order with the meeting's
// other announcements (announce). It returns the list published, nil
// when it could not be read (the change is committed; clients refetch on
// the event) or when ctx ended first. When the quorum cannot be read, no
// quorum.changed is published: clients keep the last count until the
// next event or snapshot.
func (s *Service) rollChanged(ctx context.Context, meetingID string) []Participant {
	list := &announcement{kind: announceParticipants}
	if err := s.announce(ctx, meetingID, list, &announcement{kind: announceQuorum}); err != nil {
		return nil
	}
	return list.list
}

// ListParticipants returns the meeting's participants to anyone who takes part.
func (s *Service) ListParticipants(ctx context.Context, a web.Actor, meetingID string) ([]Participant, error) {
	if _, err := s.Access(ctx, a, meetingID); err != nil {
		return nil, err
	}
	return s.Participants(ctx, meetingID)
}

// Participants returns a meeting's participants with their names, chair
// first, then secretaries, delegates and observers, each by name. It
// checks no access: it is for other packages that already did.
func (s *Service) Participants(ctx context.Context, meetingID string) ([]Participant, error) {
	rows, err := s.store.participants(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	return s.named(ctx, rows)
}

// Participant returns one participant, or NotFound when userID does not
// take part in the meeting.
func (s *Service) Participant(ctx context.Context, meetingID, userID string) (Participant, error) {
	r, err := s.store.participant(ctx, meetingID, userID)
	if err != nil {
		return Participant{}, err
	}
	list, err := s.named(ctx, []participantRow{r})
	if err != nil {
		return Participant{}, err
	}
	return list[0], nil
}

// named joins rows with the users' names in one lookup and sorts them.
func (s *Service) named(ctx context.Context, rows []participantRow) ([]Participant, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	users, err := s.users.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[string][2]string, len(users))
	for _, u := range users {
		names[u.ID] = [2]string{u.Username, u.FullName}
	}
	out := make([]Participant, len(rows))
	for i, r := range rows {
		n := names[r.UserID]
		out[i] = Participant{UserID: r.UserID, Username: n[0], FullName: n[1], Role: Role(r.Role),
			CanVote: r.CanVote, Weight: r.Weight, AddedAt: r.AddedAt}
	}
	slices.SortStableFunc(out, func(a, b Participant) int {
		return cmp.Or(cmp.Compare(a.Role.rank(), b.Role.rank()), cmp.Compare(a.FullName, b.FullName), cmp.Compare(a.UserID, b.UserID))
	})
	return out, nil
}

// rank orders participant lists the way a meeting's roll is read.
func (r Role) rank() int {
	switch r {
	case Chair:
		return 0
	case Secretary:
		return 1
	case Delegate:
		return 2
	}
	return 3
}

func (s *Service) userExists(ctx context.Context, userID string) error {
	users, err := s.users.UsersByIDs(ctx, []string{userID})
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return apperr.NotFoundf("user not found")
	}
	return nil
}

// lastSecretary is a Conflict when the meeting has only the one secretary
// who is about to stop being one: someone must keep preparing it.
func lastSecretary(secretaries int64) error {
	if secretaries <= 1 {
		return apperr.Conflictf("a meeting needs a secretary: appoint another one first")
	}
	return nil
}
