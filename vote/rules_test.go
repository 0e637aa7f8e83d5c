package vote

import (
	"slices"
	"testing"
)

// motion returns the settings of a motion under rule m.
func motion(m Majority, countAbstentions bool) Settings {
	return Settings{Kind: Motion, Options: motionOptions(), MaxChoices: 1, Majority: m, CountAbstentions: countAbstentions}
}

// yna is a motion's weighted totals: yes, no, abstain.
func yna(y, n, a int64) map[string]Count {
	return map[string]Count{Agree: {Votes: y, Weight: y}, Disagree: {Votes: n, Weight: n}, Abstain: {Votes: a, Weight: a}}
}

// TestMotionRules checks each majority rule against results worked out by
// hand. members is the weight of all members with a vote.
func TestMotionRules(t *testing.T) {
	cases := []struct {
		name      string
		rule      Majority
		abstain   bool
		counts    map[string]Count
		members   int64
		base, req int64
		want      Outcome
	}{
		{"simple: more yes than no", Simple, false, yna(6, 5, 9), 30, 11, 6, Adopted},
		{"simple: abstentions do not count by default", Simple, false, yna(2, 1, 50), 60, 3, 2, Adopted},
		{"simple: abstentions counted sink it", Simple, true, yna(2, 1, 50), 60, 53, 27, Rejected},
		{"simple: yes equals no is a tie", Simple, false, yna(5, 5, 1), 11, 10, 6, Tie},
		{"simple: yes exactly half with abstentions is a tie", Simple, true, yna(3, 2, 1), 6, 6, 4, Tie},
		{"simple: nobody voted", Simple, false, yna(0, 0, 0), 10, 0, 1, Rejected},
		{"simple: only abstentions", Simple, false, yna(0, 0, 4), 10, 0, 1, Rejected},
		{"absolute: more than half of members", Absolute, false, yna(11, 0, 0), 20, 20, 11, Adopted},
		{"absolute: half of members is a tie when yes equals half", Absolute, false, yna(10, 2, 0), 20, 20, 11, Tie},
		{"absolute: a clear yes among those present is not enough", Absolute, false, yna(9, 1, 0), 20, 20, 11, Rejected},
		{"absolute: odd membership", Absolute, false, yna(8, 0, 0), 15, 15, 8, Adopted},
		{"two thirds of votes cast: exactly two thirds passes", TwoThirds, false, yna(10, 5, 7), 40, 15, 10, Adopted},
		{"two thirds of votes cast: just under fails", TwoThirds, false, yna(9, 5, 0), 40, 14, 10, Rejected},
		{"two thirds of votes cast with abstentions", TwoThirds, true, yna(10, 5, 1), 40, 16, 11, Rejected},
		{"two thirds: yes equal no is no tie", TwoThirds, false, yna(4, 4, 0), 8, 8, 6, Rejected},
		{"two thirds of members", TwoThirdsMembers, false, yna(20, 0, 0), 30, 30, 20, Adopted},
		{"two thirds of members: 19 of 30 fails", TwoThirdsMembers, false, yna(19, 0, 0), 30, 30, 20, Rejected},
		{"two thirds of members, rounding up", TwoThirdsMembers, false, yna(14, 0, 0), 20, 20, 14, Adopted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tally(motion(tc.rule, tc.abstain), tc.counts, Electorate{MembersWeight: tc.members}).Decision
			if got.Base != tc.base || got.Required != tc.req || got.Outcome != tc.want {
				t.Errorf("base %d required %d outcome %s; want %d %d %s", got.Base, got.Required, got.Outcome, tc.base, tc.req, tc.want)
			}
		})
	}
}

// TestWeights: the rule weighs; heads are only reported.
func TestWeights(t *testing.T) {
	// Three members vote yes with weight 1 each; one votes no with weight 5.
	counts := map[string]Count{Agree: {Votes: 3, Weight: 3}, Disagree: {Votes: 1, Weight: 5}}
	got := tally(motion(Simple, false), counts, Electorate{MembersWeight: 8})
	if got.Decision.Outcome != Rejected || got.Results[0] != (OptionResult{Agree, "Đồng ý", 3, 3}) || got.Results[1].Weight != 5 {
		t.Errorf("weighted motion: %+v", got)
	}
}

// TestChoiceRules checks elections: up to k options win, those that pass
// the rule, most weight first; a level score at the last seat is a tie.
func TestChoiceRules(t *testing.T) {
	opts := []Option{{"an", "An"}, {"binh", "Bình"}, {"chi", "Chi"}, {"dung", "Dũng"}}
	w := func(ws ...int64) map[string]Count {
		m := map[string]Count{}
		for i, x := range ws {
			m[opts[i].ID] = Count{Votes: x, Weight: x}
		}
		return m
	}
	cases := []struct {
		name           string
		rule           Majority
		seats          int
		counts         map[string]Count
		voted, members int64
		elected, tied  []string
		want           Outcome
		required       int64
	}{
		{"plurality, one seat", Simple, 1, w(5, 7, 2, 0), 14, 20, []string{"binh"}, nil, Elected, 1},
		{"plurality, two seats", Simple, 2, w(5, 7, 2, 0), 14, 20, []string{"binh", "an"}, nil, Elected, 1},
		{"plurality, tie for the last seat", Simple, 2, w(5, 7, 5, 0), 17, 20, []string{"binh"}, []string{"an", "chi"}, Tie, 1},
		{"plurality, tie for the only seat", Simple, 1, w(6, 6, 0, 0), 12, 20, nil, []string{"an", "binh"}, Tie, 1},
		{"plurality, nobody voted", Simple, 1, w(0, 0, 0, 0), 0, 20, nil, nil, NoneWon, 1},
		{"absolute: more than half the members", Absolute, 2, w(11, 10, 9, 0), 19, 20, []string{"an"}, nil, Elected, 11},
		{"absolute: nobody passes", Absolute, 1, w(8, 9, 2, 0), 19, 20, nil, nil, NoneWon, 11},
		{"two thirds of ballots cast", TwoThirds, 3, w(10, 10, 9, 1), 15, 30, []string{"an", "binh"}, nil, Elected, 10},
		{"all pass but seats are fewer: a tie", TwoThirdsMembers, 1, w(9, 9, 0, 0), 9, 9, nil, []string{"an", "binh"}, Tie, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := Settings{Kind: Choice, Options: opts, MaxChoices: tc.seats, Majority: tc.rule}
			d := tally(st, tc.counts, Electorate{VotedWeight: tc.voted, MembersWeight: tc.members}).Decision
			if !slices.Equal(d.Elected, tc.elected) || !slices.Equal(d.Tied, tc.tied) || d.Outcome != tc.want || d.Required != tc.required {
				t.Errorf("elected %v tied %v outcome %s required %d; want %v %v %s %d",
					d.Elected, d.Tied, d.Outcome, d.Required, tc.elected, tc.tied, tc.want, tc.required)
			}
		})
	}
}

// TestSettings checks the defaults and limits of a new poll.
func TestSettings(t *testing.T) {
	st, err := NewPoll{Title: "  Thông qua  "}.settings()
	if err != nil || st.Title != "Thông qua" || st.Kind != Motion || st.Majority != Simple || st.Eligibility != PresentMembers ||
		len(st.Options) != 3 || st.Options[2] != (Option{"abstain", "Không biểu quyết"}) {
		t.Fatalf("defaults: %+v, %v", st, err)
	}
	st, err = NewPoll{Title: "Bầu", Options: []Option{{Label: "An"}, {ID: "b", Label: "Bình"}}, MaxChoices: 2}.settings()
	if err != nil || st.Kind != Choice || st.Options[0].ID == "" || st.Options[1].ID != "b" || st.MaxChoices != 2 {
		t.Fatalf("candidates: %+v, %v", st, err)
	}
	bad := []NewPoll{
		{Title: ""},
		{Title: "x", Majority: "most"},
		{Title: "x", Eligibility: "anyone"},
		{Title: "x", MaxChoices: 2},
		{Title: "x", Options: []Option{{Label: "only one"}}},
		{Title: "x", Options: []Option{{ID: "a", Label: "A"}, {ID: "a", Label: "B"}}},
		{Title: "x", Options: []Option{{ID: "A B", Label: "A"}, {Label: "B"}}},
		{Title: "x", Options: []Option{{Label: "A"}, {Label: " "}}},
		{Title: "x", Options: []Option{{Label: "A"}, {Label: "B"}}, MaxChoices: 3},
		{Title: "x", Options: []Option{{Label: "A"}, {Label: "B"}}, CountAbstentions: true},
	}
	for _, in := range bad {
		if _, err := in.settings(); err == nil {
			t.Errorf("accepted %+v", in)
		}
	}
}
