package vote

import (
	"cmp"
	"slices"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Majority names the rule that decides a poll. Every rule counts voting
// weight (one per person unless the meeting gives weights), and every
// threshold is a least weight, Required, that the yes side (a motion) or
// an option (a choice) must reach:
//
//	simple              more than half of the votes cast: yes > no, or
//	                    yes > no + abstain when abstentions count
//	absolute            more than half of all members with a vote,
//	                    attending or not ("quá nửa tổng số")
//	two_thirds          at least two thirds of the votes cast (abstentions
//	                    in the base only when they count)
//	two_thirds_members  at least two thirds of all members with a vote
//
// "Votes cast" of a choice poll is the weight of the ballots cast, each
// ballot once however many options it marks; its simple rule is a
// plurality (the most-voted options win, needing only one vote).
type Majority string

// The majority rules.
const (
	Simple           Majority = "simple"
	Absolute         Majority = "absolute"
	TwoThirds        Majority = "two_thirds"
	TwoThirdsMembers Majority = "two_thirds_members"
)

func parseMajority(s string) (Majority, error) {
	switch m := Majority(s); m {
	case "":
		return Simple, nil
	case Simple, Absolute, TwoThirds, TwoThirdsMembers:
		return m, nil
	}
	return "", apperr.Invalidf("majority must be simple, absolute, two_thirds or two_thirds_members, not %s", web.Quote(s))
}

// Outcome is what a closed poll decided.
type Outcome string

// The outcomes. A motion is adopted, rejected, or tied: yes is exactly
// half of the base of a more-than-half rule, which does not adopt it (the
// chair may vote again). A choice elects options, elects none, or ties:
// options level at the last place to fill.
const (
	Adopted  Outcome = "adopted"
	Rejected Outcome = "rejected"
	Tie      Outcome = "tie"
	Elected  Outcome = "elected"
	NoneWon  Outcome = "none"
)

// Count is one option's total: ballots that marked it and their weight.
type Count struct {
	Votes  int64 `json:"votes"`
	Weight int64 `json:"weight"`
}

// OptionResult is one option's total in the results.
type OptionResult struct {
	Option string `json:"option"` // the option id
	Label  string `json:"label"`
	Votes  int64  `json:"votes"`
	Weight int64  `json:"weight"`
}

// Electorate is who could vote, frozen when the poll closed. Members have
// a vote in the meeting; Present are those of them present or remote;
// Eligible may vote under the poll's eligibility (plus anyone who voted
// and left before the close); Voted cast a ballot.
type Electorate struct {
	Members        int   `json:"members"`
	MembersWeight  int64 `json:"members_weight"`
	Present        int   `json:"present"`
	PresentWeight  int64 `json:"present_weight"`
	Eligible       int   `json:"eligible"`
	EligibleWeight int64 `json:"eligible_weight"`
	Voted          int   `json:"voted"`
	VotedWeight    int64 `json:"voted_weight"`
}

// Decision is the rule applied and what it decided. Base is the weight
// the rule measures against and Required the least weight that passes.
type Decision struct {
	Majority         Majority `json:"majority"`
	CountAbstentions bool     `json:"count_abstentions"`
	Base             int64    `json:"base"`
	Required         int64    `json:"required"`
	Outcome          Outcome  `json:"outcome"`
	Elected          []string `json:"elected,omitempty"` // choice: option ids that won
	Tied             []string `json:"tied,omitempty"`    // choice: level at the last place
}

// Tally is a closed poll's stored result.
type Tally struct {
	Results    []OptionResult `json:"results"`
	Electorate Electorate     `json:"electorate"`
	Decision   Decision       `json:"decision"`
}

// tally applies the poll's rule to the counts. It is a pure function of
// its inputs, so a stored result can always be checked by hand.
func tally(st Settings, counts map[string]Count, el Electorate) Tally {
	t := Tally{Electorate: el, Results: make([]OptionResult, len(st.Options))}
	for i, o := range st.Options {
		c := counts[o.ID]
		t.Results[i] = OptionResult{Option: o.ID, Label: o.Label, Votes: c.Votes, Weight: c.Weight}
	}
	if st.Kind == Motion {
		t.Decision = decideMotion(st, counts, el)
	} else {
		t.Decision = decideChoice(st, t.Results, el)
	}
	return t
}

// threshold returns the least weight that passes a rule against base:
// more than half, or at least two thirds; never less than one vote.
func threshold(m Majority, base int64) int64 {
	need := base/2 + 1
	if m == TwoThirds || m == TwoThirdsMembers {
		need = (2*base + 2) / 3
	}
	return max(need, 1)
}

func decideMotion(st Settings, c map[string]Count, el Electorate) Decision {
	yes, no, abstain := c[Agree].Weight, c[Disagree].Weight, c[Abstain].Weight
	base := yes + no
	if st.CountAbstentions {
		base += abstain
	}
	if st.Majority == Absolute || st.Majority == TwoThirdsMembers {
		base = el.MembersWeight
	}
	d := Decision{Majority: st.Majority, CountAbstentions: st.CountAbstentions, Base: base, Required: threshold(st.Majority, base)}
	halfRule := st.Majority == Simple || st.Majority == Absolute
	switch {
	case yes >= d.Required:
		d.Outcome = Adopted
	case halfRule && base > 0 && 2*yes == base:
		d.Outcome = Tie
	default:
		d.Outcome = Rejected
	}
	return d
}

func decideChoice(st Settings, results []OptionResult, el Electorate) Decision {
	base := el.VotedWeight
	if st.Majority == Absolute || st.Majority == TwoThirdsMembers {
		base = el.MembersWeight
	}
	d := Decision{Majority: st.Majority, Base: base, Required: threshold(st.Majority, base)}
	if st.Majority == Simple {
		d.Required = 1 // a plurality: the most-voted win
	}
	var passed []OptionResult
	for _, r := range results {
		if r.Weight >= d.Required {
			passed = append(passed, r)
		}
	}
	slices.SortStableFunc(passed, func(a, b OptionResult) int { return cmp.Compare(b.Weight, a.Weight) })
	d.Elected, d.Tied = fill(passed, st.MaxChoices)
	switch {
	case len(d.Tied) > 0:
		d.Outcome = Tie
	case len(d.Elected) > 0:
		d.Outcome = Elected
	default:
		d.Outcome = NoneWon
	}
	return d
}

// fill takes up to seats options from passed (most weight first). Options
// level with the last one that fits, when not all of them fit, are tied.
func fill(passed []OptionResult, seats int) (elected, tied []string) {
	if len(passed) <= seats {
		for _, r := range passed {
			elected = append(elected, r.Option)
		}
		return elected, nil
	}
	cut := passed[seats-1].Weight
	if passed[seats].Weight != cut {
		for _, r := range passed[:seats] {
			elected = append(elected, r.Option)
		}
		return elected, nil
	}
	for _, r := range passed {
		switch {
		case r.Weight > cut:
			elected = append(elected, r.Option)
		case r.Weight == cut:
			tied = append(tied, r.Option)
		}
	}
	return elected, tied
}
