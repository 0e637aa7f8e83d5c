package vote

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/meeting"
)

type pollRow struct {
	ID               string  `gorm:"primaryKey;size:64"`
	MeetingID        string  `gorm:"size:64;not null;index"`
	AgendaItemID     *string `gorm:"size:64"`
	Title            string  `gorm:"size:300;not null"`
	Kind             string  `gorm:"size:16;not null"`
	Secret           bool    `gorm:"not null"`
	Options          string  `gorm:"type:text;not null"` // JSON [{id,label}]
	MaxChoices       int     `gorm:"not null"`
	Majority         string  `gorm:"size:32;not null"`
	CountAbstentions bool    `gorm:"not null"`
	Eligibility      string  `gorm:"size:16;not null"`
	Status           string  `gorm:"size:16;not null"`
	AgainOf          *string `gorm:"size:64"`
	Tally            string  `gorm:"type:text;not null"` // JSON Tally, stored at close
	// Frozen says that the electorate was stored (vote_electors) when the
	// poll stopped being open, by a close or a cancel. Polls stopped by an
	// earlier version have false (see frozenRollCall).
	Frozen      bool   `gorm:"not null;default:false"`
	CreatedBy   string `gorm:"size:64;not null"`
	CreatedAt   time.Time
	OpenedAt    *time.Time
	ClosedAt    *time.Time
	PublishedAt *time.Time
	CancelledAt *time.Time
}

func (pollRow) TableName() string { return "vote_polls" }

// participationRow says that a user voted in a poll, with the weight they
// voted with. Its primary key is the one-vote-per-voter rule. It has no
// time and no choice on purpose: see the package comment.
type participationRow struct {
	PollID string `gorm:"primaryKey;size:64"`
	UserID string `gorm:"primaryKey;size:64"`
	Weight int    `gorm:"not null"`
}

func (participationRow) TableName() string { return "vote_participations" }

// counterRow is one option's running total. Secret polls keep nothing else
// about the choices.
type counterRow struct {
	PollID   string `gorm:"primaryKey;size:64"`
	OptionID string `gorm:"primaryKey;size:64"`
	Votes    int64  `gorm:"not null"`
	Weight   int64  `gorm:"not null"`
}

func (counterRow) TableName() string { return "vote_counters" }

// namedRow is one voter's choice in a named (not secret) poll.
type namedRow struct {
	PollID  string `gorm:"primaryKey;size:64"`
	UserID  string `gorm:"primaryKey;size:64"`
	Options string `gorm:"type:text;not null"` // JSON ["option id", …]
	Weight  int    `gorm:"not null"`
}

func (namedRow) TableName() string { return "vote_named" }

// electorRow is one member of a closed poll's electorate, written by the
// close (or the cancel of an open poll) in its transaction: everyone who
// voted and everyone who could have and did not, with their attendance
// then. The poll's roll call
// reads it from then on, so that someone who joins, checks in or leaves
// later does not change who "had not voted". It holds no choice.
type electorRow struct {
	PollID string `gorm:"primaryKey;size:64"`
	UserID string `gorm:"primaryKey;size:64"`
	State  string `gorm:"size:16;not null"`
}

func (electorRow) TableName() string { return "vote_electors" }

// Migration creates the voting tables. vote_electors came later: on a
// database of an earlier version it is created empty, and the polls
// closed before then have no stored electorate (see frozenRollCall).
func Migration() database.Step {
	return database.Step{Name: "vote", Run: func(tx *gorm.DB) error {
		return tx.AutoMigrate(&pollRow{}, &participationRow{}, &counterRow{}, &namedRow{}, &electorRow{})
	}}
}

func newPollRow(id, meetingID, by string, st Settings, at time.Time) pollRow {
	opts, _ := json.Marshal(st.Options) // options are plain strings: Marshal cannot fail
	return pollRow{ID: id, MeetingID: meetingID, AgendaItemID: st.AgendaItemID, Title: st.Title, Kind: string(st.Kind),
		Secret: st.Secret, Options: string(opts), MaxChoices: st.MaxChoices, Majority: string(st.Majority),
		CountAbstentions: st.CountAbstentions, Eligibility: string(st.Eligibility), Status: string(Draft),
		CreatedBy: by, CreatedAt: at}
}

func (r pollRow) settings() Settings {
	st := Settings{Title: r.Title, AgendaItemID: r.AgendaItemID, Kind: Kind(r.Kind), Secret: r.Secret,
		MaxChoices: r.MaxChoices, Majority: Majority(r.Majority), CountAbstentions: r.CountAbstentions,
		Eligibility: Eligibility(r.Eligibility)}
	_ = json.Unmarshal([]byte(r.Options), &st.Options) // written by newPollRow
	return st
}

// tally returns the stored result, or nil before the close.
func (r pollRow) tally() *Tally {
	if r.Tally == "" {
		return nil
	}
	var t Tally
	if json.Unmarshal([]byte(r.Tally), &t) != nil {
		return nil
	}
	return &t
}

// store is the voting package's storage; nothing else in the package
// touches gorm.
type store struct {
	db *gorm.DB
}

func (s *store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// record appends one audit entry on its own.
func (s *store) record(ctx context.Context, e audit.Entry) error {
	return internal(audit.Write(s.db.WithContext(ctx), e), "audit")
}

// createPoll stores a draft poll with a zero counter per option, in a
// meeting that is not closed, for an agenda item that is still on its
// agenda: checked again here, in the transaction, as an item deleted
// since the service checked it would leave the poll naming no item.
func (s *store) createPoll(ctx context.Context, r pollRow, options []Option, e audit.Entry) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := meeting.LockOpen(tx, r.MeetingID, false); err != nil {
			return err
		}
		if r.AgendaItemID != nil {
			if err := agenda.LockItem(tx, r.MeetingID, *r.AgendaItemID); apperr.Is(err, apperr.NotFound) {
				return errNotAnItem()
			} else if err != nil {
				return err
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			return apperr.Internalf(err, "create poll")
		}
		counters := make([]counterRow, len(options))
		for i, o := range options {
			counters[i] = counterRow{PollID: r.ID, OptionID: o.ID}
		}
		if err := tx.Create(&counters).Error; err != nil {
			return apperr.Internalf(err, "create counters")
		}
		return internal(audit.Write(tx, e), "audit")
	})
}

func (s *store) poll(ctx context.Context, id string) (pollRow, error) {
	return findPoll(s.db.WithContext(ctx), id, "")
}

// findPoll loads a poll, locked with strength ("" for none); NotFound when
// there is no such poll.
func findPoll(tx *gorm.DB, id string, strength string) (pollRow, error) {
	if strength != "" {
		tx = tx.Clauses(clause.Locking{Strength: strength})
	}
	var r pollRow
	err := tx.Where("id = ?", id).Take(&r).Error
	if database.IsNotFound(err) {
		return r, errNoPoll()
	}
	return r, internal(err, "load poll")
}

// polls returns a meeting's polls, oldest first.
func (s *store) polls(ctx context.Context, meetingID string) ([]pollRow, error) {
	var rows []pollRow
	err := s.db.WithContext(ctx).Where("meeting_id = ?", meetingID).Order("created_at, id").Find(&rows).Error
	return rows, internal(err, "list polls")
}

// voterIDs returns who voted in a poll. The progress of a running poll
// reads it four times a second, thousands of rows at the end of a storm:
// a plain row scan, no reflection.
func (s *store) voterIDs(ctx context.Context, pollID string) ([]string, error) {
	rows, err := s.db.WithContext(ctx).Model(&participationRow{}).Select("user_id").Where("poll_id = ?", pollID).Rows()
	if err != nil {
		return nil, internal(err, "load voters")
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal(err, "read voters")
		}
		ids = append(ids, id)
	}
	return ids, internal(rows.Err(), "read voters")
}

// hasVoted reports whether userID voted in a poll.
func (s *store) hasVoted(ctx context.Context, pollID, userID string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&participationRow{}).Where("poll_id = ? AND user_id = ?", pollID, userID).Count(&n).Error
	return n > 0, internal(err, "load vote")
}

// electors returns the electorate stored when a poll closed, sorted by
// user id; none for a poll that has not closed, or closed before the
// electorate was stored.
func (s *store) electors(ctx context.Context, pollID string) ([]elector, error) {
	var rows []electorRow
	if err := s.db.WithContext(ctx).Where("poll_id = ?", pollID).Order("user_id").Find(&rows).Error; err != nil {
		return nil, internal(err, "load the electorate")
	}
	out := make([]elector, len(rows))
	for i, r := range rows {
		out[i] = elector{UserID: r.UserID, State: meeting.State(r.State)}
	}
	return out, nil
}

// named returns the choices of a named poll.
func (s *store) named(ctx context.Context, pollID string) ([]namedRow, error) {
	var rows []namedRow
	err := s.db.WithContext(ctx).Where("poll_id = ?", pollID).Find(&rows).Error
	return rows, internal(err, "load named votes")
}

// votesSoFar is what a poll holds when it closes, with its meeting's roll
// as it is then.
type votesSoFar struct {
	counts map[string]Count
	voters []participationRow
	roll   *roll
}

// decision is a lifecycle step's verdict on a locked poll: the columns to
// set (nil: nothing changes, as when opening an open poll), its audit
// entry and, when an open poll stops, the electorate to store (fields
// then sets frozen).
type decision struct {
	fields   map[string]any
	entry    audit.Entry
	electors []elector
}

// decideFunc sees the poll, its meeting's status and (when asked for and
// the poll is open) its votes and the meeting's roll, all under lock, and
// decides.
type decideFunc func(p pollRow, ms meeting.Status, v *votesSoFar) (decision, error)

// change runs one lifecycle step: it locks the meeting (shared) and the
// poll (exclusive, so it waits for vote batches holding it shared), lets
// decide choose, and saves. It returns the poll as it now is and whether
// it changed.
func (s *store) change(ctx context.Context, id string, withVotes bool, decide decideFunc) (pollRow, bool, error) {
	var p pollRow
	changed := false
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if p, err = findPoll(tx, id, ""); err != nil {
			return err
		}
		ms, err := meeting.LockOpen(tx, p.MeetingID, false)
		if err != nil {
			return err
		}
		if p, err = findPoll(tx, id, clause.LockingStrengthUpdate); err != nil {
			return err
		}
		var v *votesSoFar
		if withVotes && Status(p.Status) == Open {
			if v, err = loadVotes(tx, id); err != nil {
				return err
			}
			if v.roll, err = rollTx(tx, p.MeetingID); err != nil {
				return err
			}
		}
		d, err := decide(p, ms, v)
		if err != nil || d.fields == nil {
			return err
		}
		changed = true
		return save(tx, p, d, v != nil)
	})
	if err != nil || !changed {
		return p, changed, err
	}
	p, err = s.poll(ctx, id)
	return p, true, err
}

// save applies d to p. When the votes were counted it also rewrites every
// counter of the poll, so that their row versions all belong to this
// transaction and none points at the last vote batch, and stores the
// electorate the count was made against.
func save(tx *gorm.DB, p pollRow, d decision, counted bool) error {
	if err := tx.Model(&pollRow{}).Where("id = ?", p.ID).Updates(d.fields).Error; err != nil {
		return apperr.Internalf(err, "update poll")
	}
	if counted {
		if err := tx.Exec("UPDATE vote_counters SET votes = votes WHERE poll_id = ?", p.ID).Error; err != nil {
			return apperr.Internalf(err, "seal counters")
		}
	}
	if len(d.electors) > 0 {
		rows := make([]electorRow, len(d.electors))
		for i, e := range d.electors {
			rows[i] = electorRow{PollID: p.ID, UserID: e.UserID, State: string(e.State)}
		}
		if err := tx.CreateInBatches(rows, insertChunk).Error; err != nil {
			return apperr.Internalf(err, "store the electorate")
		}
	}
	return internal(audit.Write(tx, d.entry), "audit")
}

func loadVotes(tx *gorm.DB, pollID string) (*votesSoFar, error) {
	var counters []counterRow
	if err := tx.Where("poll_id = ?", pollID).Find(&counters).Error; err != nil {
		return nil, apperr.Internalf(err, "load counters")
	}
	v := &votesSoFar{counts: make(map[string]Count, len(counters))}
	for _, c := range counters {
		v.counts[c.OptionID] = Count{Votes: c.Votes, Weight: c.Weight}
	}
	if err := tx.Where("poll_id = ?", pollID).Find(&v.voters).Error; err != nil {
		return nil, apperr.Internalf(err, "load voters")
	}
	return v, nil
}

// rollTx reads the meeting's roll in tx, without names (it is counted,
// not shown). The caller holds the meeting's lock (shared), so no change
// of participants commits between this read and the caller's commit.
func rollTx(tx *gorm.DB, meetingID string) (*roll, error) {
	entries, err := meeting.RollTx(tx, meetingID)
	if err != nil {
		return nil, err
	}
	r := &roll{at: time.Now(), members: make(map[string]member, len(entries))}
	for _, e := range entries {
		r.members[e.UserID] = memberOf(e, "")
	}
	return r, nil
}

func internal(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*apperr.Error); ok {
		return err
	}
	return apperr.Internalf(err, "%s", what)
}

// openPollIDs returns the ids of a meeting's open polls.
func (s *store) openPollIDs(ctx context.Context, meetingID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&pollRow{}).Where("meeting_id = ? AND status = ?", meetingID, string(Open)).
		Order("id").Pluck("id", &ids).Error
	return ids, internal(err, "list open polls")
}

// countOpen counts a meeting's open polls, in tx.
func countOpen(tx *gorm.DB, meetingID string) (int64, error) {
	var n int64
	err := tx.Model(&pollRow{}).Where("meeting_id = ? AND status = ?", meetingID, string(Open)).Count(&n).Error
	return n, internal(err, "count open polls")
}
