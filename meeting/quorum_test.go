package meeting

import "testing"

// TestQuorumArithmetic checks each rule at its edges, by head and by weight.
func TestQuorumArithmetic(t *testing.T) {
	member := func(state string, weight int) participantRow {
		return participantRow{CanVote: true, Weight: weight, Attendance: state}
	}
	observer := participantRow{CanVote: false, Weight: 1, Attendance: "present"}
	heads := func(present, remote, absent, unknown int) []participantRow {
		var rows []participantRow
		for state, n := range map[string]int{"present": present, "remote": remote, "absent": absent, "": unknown} {
			for range n {
				rows = append(rows, member(state, 1))
			}
		}
		return append(rows, observer)
	}
	cases := []struct {
		name      string
		rule      QuorumRule
		rows      []participantRow
		attending int
		required  int
		reached   bool
	}{
		{"majority of 10, 5 in", QuorumRule{Rule: Majority}, heads(5, 0, 5, 0), 5, 6, false},
		{"majority of 10, 6 in", QuorumRule{Rule: Majority}, heads(4, 2, 0, 4), 6, 6, true},
		{"majority of 9", QuorumRule{Rule: Majority}, heads(5, 0, 0, 4), 5, 5, true},
		{"two thirds of 9", QuorumRule{Rule: TwoThirds}, heads(5, 0, 4, 0), 5, 6, false},
		{"two thirds of 10", QuorumRule{Rule: TwoThirds}, heads(7, 0, 3, 0), 7, 7, true},
		{"at least 3", QuorumRule{Rule: AtLeast, Count: 3}, heads(1, 2, 7, 0), 3, 3, true},
		{"at least more than all", QuorumRule{Rule: AtLeast, Count: 20}, heads(10, 0, 0, 0), 10, 20, false},
		{"nobody eligible", QuorumRule{Rule: Majority}, []participantRow{observer}, 0, 1, false},
		{"by weight", QuorumRule{Rule: Majority, ByWeight: true},
			[]participantRow{member("present", 30), member("", 10), member("remote", 1), member("absent", 19)}, 31, 31, true},
	}
	for _, tc := range cases {
		q := computeQuorum(tc.rule, tc.rows)
		if q.Attending != tc.attending || q.Required != tc.required || q.Reached != tc.reached {
			t.Errorf("%s: attending %d required %d reached %v; want %d %d %v", tc.name, q.Attending, q.Required, q.Reached,
				tc.attending, tc.required, tc.reached)
		}
		if q.Present+q.Remote+q.Absent+q.Unknown != q.Eligible {
			t.Errorf("%s: counts do not add up: %+v", tc.name, q)
		}
	}
}
