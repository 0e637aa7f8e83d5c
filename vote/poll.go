package vote

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Status is where a poll is in its life: draft → open → closed →
// published, or cancelled from draft, open or closed.
type Status string

// The statuses of a poll.
const (
	Draft     Status = "draft"     // prepared; only managers see it
	Open      Status = "open"      // taking votes
	Closed    Status = "closed"    // counted; results stored and shown
	Published Status = "published" // results announced; named votes shown to all
	Cancelled Status = "cancelled" // void; no results shown
)

// Kind says how a poll is decided.
type Kind string

// The kinds of poll.
const (
	// Motion is a yes/no question with the options agree, disagree and
	// abstain; a majority rule adopts or rejects it.
	Motion Kind = "motion"
	// Choice offers custom options (or candidates); each voter marks up to
	// MaxChoices of them and the most-voted that pass the rule are elected.
	Choice Kind = "choice"
)

// Eligibility says who may vote in a poll.
type Eligibility string

// The eligibility rules. Either way only participants with a vote may.
const (
	PresentMembers Eligibility = "present"     // members checked in, present or remote
	AllMembers     Eligibility = "all_members" // every member, attending or not
)

// Option is one answer of a poll. Id is what a vote names.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// The option ids of a motion.
const (
	Agree    = "agree"
	Disagree = "disagree"
	Abstain  = "abstain"
)

// motionOptions are the options of every motion.
func motionOptions() []Option {
	return []Option{{Agree, "Đồng ý"}, {Disagree, "Không đồng ý"}, {Abstain, "Không biểu quyết"}}
}

// Limits of a poll's settings.
const (
	minOptions  = 2
	maxOptions  = 50
	maxLabel    = 200
	maxOptionID = 64
)

var optionID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Settings are what a poll is about and how it is decided. They are fixed
// when the poll is created; "vote again" copies them into a new poll.
type Settings struct {
	Title            string      `json:"title"`
	AgendaItemID     *string     `json:"agenda_item_id"`
	Kind             Kind        `json:"kind"`
	Secret           bool        `json:"secret"`
	Options          []Option    `json:"options"`
	MaxChoices       int         `json:"max_choices"`
	Majority         Majority    `json:"majority"`
	CountAbstentions bool        `json:"count_abstentions"`
	Eligibility      Eligibility `json:"eligibility"`
}

// NewPoll is the input of CreatePoll. Without options the poll is a motion
// (agree / disagree / abstain); with options it is a choice among them,
// each voter marking up to max_choices (default 1).
type NewPoll struct {
	Title            string   `json:"title"`
	AgendaItemID     *string  `json:"agenda_item_id"`
	Secret           bool     `json:"secret"`
	Options          []Option `json:"options"`
	MaxChoices       int      `json:"max_choices"`
	Majority         string   `json:"majority"`          // default simple
	CountAbstentions bool     `json:"count_abstentions"` // motions only
	Eligibility      string   `json:"eligibility"`       // default present
}

// settings validates in and fills the defaults.
func (in NewPoll) settings() (Settings, error) {
	st := Settings{Secret: in.Secret, AgendaItemID: in.AgendaItemID, CountAbstentions: in.CountAbstentions}
	var err error
	if st.Title, err = meeting.CleanTitle("title", in.Title); err != nil {
		return Settings{}, err
	}
	if st.Majority, err = parseMajority(in.Majority); err != nil {
		return Settings{}, err
	}
	if st.Eligibility, err = parseEligibility(in.Eligibility); err != nil {
		return Settings{}, err
	}
	if st.Kind, st.Options, st.MaxChoices, err = choices(in); err != nil {
		return Settings{}, err
	}
	if st.CountAbstentions && st.Kind != Motion {
		return Settings{}, apperr.Invalidf("count_abstentions is for motions only: a poll with its own options has no abstain option")
	}
	return st, nil
}

// choices returns the kind, options and max_choices that in describes.
func choices(in NewPoll) (Kind, []Option, int, error) {
	if in.Options == nil {
		if in.MaxChoices != 0 && in.MaxChoices != 1 {
			return "", nil, 0, apperr.Invalidf("max_choices is for polls with their own options; a motion takes one answer (leave it out, or 1)")
		}
		return Motion, motionOptions(), 1, nil
	}
	opts, err := cleanOptions(in.Options)
	if err != nil {
		return "", nil, 0, err
	}
	k := in.MaxChoices
	if k == 0 {
		k = 1
	}
	if k < 1 || k > len(opts) {
		return "", nil, 0, apperr.Invalidf("max_choices must be from 1 to the number of options (%d)", len(opts))
	}
	return Choice, opts, k, nil
}

// cleanOptions checks custom options: 2 to 50, each with a label, ids
// unique and made for absent ones.
func cleanOptions(in []Option) ([]Option, error) {
	if len(in) < minOptions || len(in) > maxOptions {
		return nil, apperr.Invalidf("a poll needs from %d to %d options, not %d", minOptions, maxOptions, len(in))
	}
	out := make([]Option, len(in))
	seen := map[string]bool{}
	for i, o := range in {
		label, err := cleanLabel(i, o.Label)
		if err != nil {
			return nil, err
		}
		id := strings.TrimSpace(o.ID)
		if id == "" {
			id = ids.New()
		} else if len(id) > maxOptionID || !optionID.MatchString(id) {
			return nil, apperr.Invalidf("option %d: id must be 1 to %d lowercase letters, digits, - or _", i+1, maxOptionID)
		}
		if seen[id] {
			return nil, apperr.Invalidf("option %d: id %s is used twice", i+1, web.Quote(id))
		}
		seen[id] = true
		out[i] = Option{ID: id, Label: label}
	}
	return out, nil
}

func cleanLabel(i int, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", apperr.Invalidf("option %d: a label is required", i+1)
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxLabel:
		return "", apperr.Invalidf("option %d: the label must be at most %d characters", i+1, maxLabel)
	case strings.ContainsFunc(s, meeting.NotInALine): // as meeting.CleanTitle: U+2028/U+2029 break a line too
		return "", apperr.Invalidf("option %d: the label must be a single line without control characters, "+
			"line or paragraph separators, or text-direction controls", i+1)
	}
	return s, nil
}

func parseEligibility(s string) (Eligibility, error) {
	switch e := Eligibility(s); e {
	case "":
		return PresentMembers, nil
	case PresentMembers, AllMembers:
		return e, nil
	}
	return "", apperr.Invalidf("eligibility must be present or all_members, not %s", web.Quote(s))
}

// option returns the option with id, if the poll has one.
func (st Settings) option(id string) (Option, bool) {
	for _, o := range st.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Poll is a poll as the API shows it to one viewer.
type Poll struct {
	ID        string `json:"id"`
	MeetingID string `json:"meeting_id"`
	Settings
	Status  Status  `json:"status"`
	AgainOf *string `json:"again_of"` // the poll this one repeats
	// Voted is how many have voted; Eligible how many may (frozen at close).
	Voted    int `json:"voted"`
	Eligible int `json:"eligible"`
	// Me is the viewer's own standing: may they vote, have they.
	Me Standing `json:"me"`
	// Results, Outcome and the rest appear once the poll is closed.
	Results    []OptionResult `json:"results,omitempty"`
	Outcome    Outcome        `json:"outcome,omitempty"`
	Decision   *Decision      `json:"decision,omitempty"`
	Electorate *Electorate    `json:"electorate,omitempty"`
	// Votes names who chose what in a named poll: to managers once it is
	// closed, to everyone once it is published. Never for a secret poll.
	Votes       []NamedVote `json:"votes,omitempty"`
	CreatedBy   string      `json:"created_by"`
	CreatedAt   time.Time   `json:"created_at"`
	OpenedAt    *time.Time  `json:"opened_at"`
	ClosedAt    *time.Time  `json:"closed_at"`
	PublishedAt *time.Time  `json:"published_at"`
	CancelledAt *time.Time  `json:"cancelled_at"`
}

// Standing is the viewer's relation to a poll.
type Standing struct {
	CanVote bool `json:"can_vote"` // eligible now and the poll is open
	Voted   bool `json:"voted"`
}

// NamedVote is one voter's choice in a named poll.
type NamedVote struct {
	UserID   string   `json:"user_id"`
	FullName string   `json:"full_name"`
	Options  []string `json:"options"`
	Weight   int      `json:"weight"`
}
