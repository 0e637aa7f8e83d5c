package meeting

import (
	"context"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// QuorumKind names how many members must attend.
type QuorumKind string

// The quorum rules.
const (
	Majority  QuorumKind = "majority"   // more than half
	TwoThirds QuorumKind = "two_thirds" // at least two thirds
	AtLeast   QuorumKind = "at_least"   // at least Count
)

// QuorumRule is a meeting's quorum rule. It counts members with a vote,
// present or remote, by head, or by voting weight when ByWeight is set.
type QuorumRule struct {
	Rule     QuorumKind `json:"rule"`
	Count    int        `json:"count,omitempty"` // for at_least only
	ByWeight bool       `json:"by_weight"`
}

// maxQuorumCount bounds at_least: no meeting has more members.
const maxQuorumCount = 100000

func (q QuorumRule) normalize() (QuorumRule, error) {
	switch q.Rule {
	case Majority, TwoThirds:
		if q.Count != 0 {
			return q, apperr.Invalidf("quorum.count is only for the rule at_least")
		}
	case AtLeast:
		if q.Count < 1 || q.Count > maxQuorumCount {
			return q, apperr.Invalidf("quorum.count must be a whole number from 1 to %d", maxQuorumCount)
		}
	default:
		return q, apperr.Invalidf("quorum.rule must be majority, two_thirds or at_least, not %s", web.Quote(string(q.Rule)))
	}
	return q, nil
}

// required is how many (heads or weight) of eligible must attend.
func (q QuorumRule) required(eligible int) int {
	switch q.Rule {
	case TwoThirds:
		return (2*eligible + 2) / 3
	case AtLeast:
		return q.Count
	}
	return eligible/2 + 1
}

// Quorum is the attendance count against the meeting's rule. Every count
// is of members with a vote (in weight when the rule says so); observers
// and members without a vote never count.
type Quorum struct {
	Rule      QuorumRule `json:"rule"`
	Eligible  int        `json:"eligible"`
	Present   int        `json:"present"`
	Remote    int        `json:"remote"`
	Absent    int        `json:"absent"`
	Unknown   int        `json:"unknown"` // not recorded yet
	Attending int        `json:"attending"`
	Required  int        `json:"required"`
	Reached   bool       `json:"reached"`
}

// QuorumChange is the data of quorum.changed, published when who counts
// for the quorum, or how, changed without anyone's attendance changing (a
// participant added, removed or given another role, vote or weight; the
// rule changed). attendance.changed carries the same Quorum.
type QuorumChange struct {
	Quorum Quorum `json:"quorum"`
}

// computeQuorum counts rows under rule.
func computeQuorum(rule QuorumRule, rows []participantRow) Quorum {
	q := Quorum{Rule: rule}
	for _, r := range rows {
		if !r.CanVote {
			continue
		}
		n := 1
		if rule.ByWeight {
			n = r.Weight
		}
		q.Eligible += n
		switch State(r.Attendance) {
		case Present:
			q.Present += n
		case Remote:
			q.Remote += n
		case Absent:
			q.Absent += n
		default:
			q.Unknown += n
		}
	}
	q.Attending = q.Present + q.Remote
	q.Required = rule.required(q.Eligible)
	q.Reached = q.Eligible > 0 && q.Attending >= q.Required
	return q
}

// Quorum returns the meeting's quorum to anyone who takes part.
func (s *Service) Quorum(ctx context.Context, a web.Actor, meetingID string) (Quorum, error) {
	if _, err := s.Access(ctx, a, meetingID); err != nil {
		return Quorum{}, err
	}
	return s.quorums.do(ctx, meetingID, func(ctx context.Context) (Quorum, error) { return s.quorum(ctx, meetingID) })
}

func (s *Service) quorum(ctx context.Context, meetingID string) (Quorum, error) {
	m, err := s.store.meeting(ctx, meetingID)
	if err != nil {
		return Quorum{}, err
	}
	rows, err := s.store.participants(ctx, meetingID)
	if err != nil {
		return Quorum{}, err
	}
	return computeQuorum(m.quorum(), rows), nil
}
