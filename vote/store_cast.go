package vote

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/meeting"
)

// castRequest is one checked vote waiting to be written.
type castRequest struct {
	PollID      string
	MeetingID   string
	UserID      string
	Admin       bool // the voter is an administrator (for the refusal's wording)
	Secret      bool
	Eligibility Eligibility
	Weight      int      // as checked by Cast; the batch records the weight the voter has when it commits
	Options     []string // option ids, distinct
	Entry       audit.Entry
}

func errAlreadyVoted() error { return apperr.Conflictf("you have already voted in this poll") }

// insertChunk bounds the rows of one multi-row INSERT (3 parameters each,
// well under SQLite's and PostgreSQL's limits).
const insertChunk = 500

// castBatch writes a batch of votes in one transaction and returns, for
// each, nil when it was recorded or why it was not. Refusals (poll not
// open, meeting not in session, a voter who no longer may vote, a second
// vote) are per vote and never fail the others; the error return is for
// the batch as a whole, which then wrote nothing.
func (s *store) castBatch(ctx context.Context, reqs []castRequest) ([]error, error) {
	var res []error
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res = make([]error, len(reqs))
		if err := checkOpen(tx, reqs, res); err != nil {
			return err
		}
		if err := checkVoters(tx, reqs, res); err != nil {
			return err
		}
		keepFirstPerVoter(reqs, res)
		if err := insertParticipations(tx, reqs, res); err != nil {
			return err
		}
		return recordChoices(tx, reqs, res)
	})
	return res, err
}

// checkOpen locks the batch's meetings and then its polls, shared and in
// id order (so batches of several nodes cannot deadlock, and a close,
// which takes the poll exclusively, waits for this batch or this batch
// for it), and refuses the votes whose meeting is not in session or whose
// poll is not open.
func checkOpen(tx *gorm.DB, reqs []castRequest, res []error) error {
	meetings := map[string]error{}
	for _, id := range distinct(reqs, func(r castRequest) string { return r.MeetingID }) {
		st, err := meeting.LockOpen(tx, id, false)
		if apperr.KindOf(err) == apperr.Internal {
			return err
		}
		if err == nil && st != meeting.Live {
			err = apperr.Conflictf("the meeting is not in session (it is %s)", st)
		}
		meetings[id] = err
	}
	var polls []pollRow
	ids := distinct(reqs, func(r castRequest) string { return r.PollID })
	err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthShare}).Select("id", "status").
		Where("id IN ?", ids).Order("id").Find(&polls).Error
	if err != nil {
		return apperr.Internalf(err, "lock polls")
	}
	status := make(map[string]Status, len(polls))
	for _, p := range polls {
		status[p.ID] = Status(p.Status)
	}
	for i, r := range reqs {
		res[i] = meetings[r.MeetingID]
		if st := status[r.PollID]; res[i] == nil && st != Open {
			res[i] = notOpen(st)
		}
	}
	return nil
}

// checkVoters reads the batch's voters from the meeting's participants,
// in one query per meeting, after checkOpen has share-locked the meetings,
// and refuses those who may not vote now: removed from the meeting (404,
// as in Cast), stripped of the vote, or not checked in when the poll asks
// for it (403). Cast checked them against a roll that may be up to
// rollMaxAge old, or another node's; here the check cannot be stale,
// because a participant is added, changed or removed under an exclusive
// lock of the meeting, which waits for this batch or this batch for it.
// A vote is recorded with the weight its voter has at this moment.
func checkVoters(tx *gorm.DB, reqs []castRequest, res []error) error {
	byMeeting := map[string][]int{}
	for _, i := range pending(reqs, res) {
		byMeeting[reqs[i].MeetingID] = append(byMeeting[reqs[i].MeetingID], i)
	}
	for _, meetingID := range slices.Sorted(maps.Keys(byMeeting)) {
		todo := byMeeting[meetingID]
		users := make([]string, len(todo))
		for j, i := range todo {
			users[j] = reqs[i].UserID
		}
		roll, err := meeting.RollIn(tx, meetingID, users)
		if err != nil {
			return err
		}
		for _, i := range todo {
			e, ok := roll[reqs[i].UserID]
			if res[i] = refusal(memberOf(e, ""), ok, reqs[i].Admin, reqs[i].Eligibility); res[i] == nil {
				reqs[i].Weight = e.Weight
			}
		}
	}
	return nil
}

func notOpen(st Status) error {
	if st == "" {
		return errNoPoll()
	}
	return apperr.Conflictf("the poll is not open for votes (it is %s)", st)
}

// keepFirstPerVoter refuses a vote whose voter already has one earlier in
// the batch: the earlier one is recorded, or refused for a reason that
// holds for this one too.
func keepFirstPerVoter(reqs []castRequest, res []error) {
	seen := map[[2]string]bool{}
	for i, r := range reqs {
		k := [2]string{r.PollID, r.UserID}
		if seen[k] && res[i] == nil {
			res[i] = errAlreadyVoted()
		}
		seen[k] = true
	}
}

// insertParticipations inserts who voted, ON CONFLICT DO NOTHING, and
// refuses the votes whose row was already there: the primary key, not a
// prior read, is what keeps a voter to one vote. Rows go in sorted by
// (poll, user) so that two nodes' batches lock keys in the same order.
func insertParticipations(tx *gorm.DB, reqs []castRequest, res []error) error {
	todo := pending(reqs, res)
	slices.SortFunc(todo, func(a, b int) int {
		return cmp.Or(cmp.Compare(reqs[a].PollID, reqs[b].PollID), cmp.Compare(reqs[a].UserID, reqs[b].UserID))
	})
	if tx.Dialector.Name() == "postgres" {
		return insertParticipationsPG(tx, reqs, res, todo)
	}
	for chunk := range slices.Chunk(todo, insertChunk) {
		var sql strings.Builder
		sql.WriteString("INSERT INTO vote_participations (poll_id, user_id, weight) VALUES ")
		args := make([]any, 0, 3*len(chunk))
		for j, i := range chunk {
			if j > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?)")
			args = append(args, reqs[i].PollID, reqs[i].UserID, reqs[i].Weight)
		}
		sql.WriteString(" ON CONFLICT DO NOTHING RETURNING poll_id, user_id")
		in, err := insertedKeys(tx, sql.String(), args)
		if err != nil {
			return apperr.Internalf(err, "record voters")
		}
		for _, i := range chunk {
			if !in[[2]string{reqs[i].PollID, reqs[i].UserID}] {
				res[i] = errAlreadyVoted()
			}
		}
	}
	return nil
}

// insertParticipationsPG is insertParticipations on PostgreSQL: the rows
// go as three arrays, so the statement's text is the same for every batch
// and the driver prepares it once per connection (a VALUES list of each
// new length was a new statement, parsed with up to 1,500 parameters).
func insertParticipationsPG(tx *gorm.DB, reqs []castRequest, res []error, todo []int) error {
	polls, users := make([]string, len(todo)), make([]string, len(todo))
	weights := make([]int64, len(todo))
	for j, i := range todo {
		polls[j], users[j], weights[j] = reqs[i].PollID, reqs[i].UserID, int64(reqs[i].Weight)
	}
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context,
		"INSERT INTO vote_participations (poll_id, user_id, weight) "+
			"SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) "+
			"ON CONFLICT DO NOTHING RETURNING poll_id, user_id", polls, users, weights)
	if err != nil {
		return apperr.Internalf(err, "record voters")
	}
	defer rows.Close()
	in := make(map[[2]string]bool, len(todo))
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return apperr.Internalf(err, "record voters")
		}
		in[k] = true
	}
	if err := rows.Err(); err != nil {
		return apperr.Internalf(err, "record voters")
	}
	for _, i := range todo {
		if !in[[2]string{reqs[i].PollID, reqs[i].UserID}] {
			res[i] = errAlreadyVoted()
		}
	}
	return nil
}

// insertedKeys runs an INSERT … RETURNING poll_id, user_id and returns
// the keys it inserted, scanned by hand (this runs for every batch).
func insertedKeys(tx *gorm.DB, sql string, args []any) (map[[2]string]bool, error) {
	rows, err := tx.Raw(sql, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := make(map[[2]string]bool, len(args)/3)
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, err
		}
		in[k] = true
	}
	return in, rows.Err()
}

// recordChoices adds the recorded votes to the counters, keeps the named
// ones' choices, and audits every recorded vote (never its choice).
func recordChoices(tx *gorm.DB, reqs []castRequest, res []error) error {
	ok := pending(reqs, res)
	if len(ok) == 0 {
		return nil
	}
	if err := addToCounters(tx, reqs, ok); err != nil {
		return err
	}
	var named []namedRow
	for _, i := range ok {
		if !reqs[i].Secret {
			opts, _ := json.Marshal(reqs[i].Options) // strings: Marshal cannot fail
			named = append(named, namedRow{PollID: reqs[i].PollID, UserID: reqs[i].UserID, Options: string(opts), Weight: reqs[i].Weight})
		}
	}
	if len(named) > 0 {
		if err := tx.CreateInBatches(named, insertChunk).Error; err != nil {
			return apperr.Internalf(err, "record named votes")
		}
	}
	// Audit in random order: the entries' ids then say nothing about the
	// order of the votes within the batch.
	entries := make([]audit.Entry, len(ok))
	for j, i := range ok {
		entries[j] = reqs[i].Entry
	}
	rand.Shuffle(len(entries), func(a, b int) { entries[a], entries[b] = entries[b], entries[a] })
	return writeAudit(tx, entries)
}

// writeAudit appends a batch's audit entries in multi-row inserts: one
// INSERT per entry was the costliest part of a batch (about half a
// millisecond of CPU per vote on SQLite, in the one writer goroutine).
func writeAudit(tx *gorm.DB, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := audit.WriteMany(tx, entries); err != nil {
		return apperr.Internalf(err, "audit votes")
	}
	return nil
}

// addToCounters adds the batch's votes to each poll's counters in one
// UPDATE per poll that touches every option of the poll, chosen or not.
func addToCounters(tx *gorm.DB, reqs []castRequest, ok []int) error {
	sums := map[string]map[string]Count{}
	for _, i := range ok {
		r := reqs[i]
		if sums[r.PollID] == nil {
			sums[r.PollID] = map[string]Count{}
		}
		for _, o := range r.Options {
			c := sums[r.PollID][o]
			c.Votes++
			c.Weight += int64(r.Weight)
			sums[r.PollID][o] = c
		}
	}
	for _, pollID := range slices.Sorted(maps.Keys(sums)) {
		sql, args := counterUpdate(pollID, sums[pollID])
		if err := tx.Exec(sql, args...).Error; err != nil {
			return apperr.Internalf(err, "add to counters")
		}
	}
	return nil
}

// counterUpdate builds UPDATE vote_counters SET votes = votes + CASE
// option_id WHEN … END, weight = … WHERE poll_id = ?.
func counterUpdate(pollID string, add map[string]Count) (string, []any) {
	var votes, weight strings.Builder
	var vArgs, wArgs []any
	for _, o := range slices.Sorted(maps.Keys(add)) {
		votes.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		weight.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		vArgs = append(vArgs, o, add[o].Votes)
		wArgs = append(wArgs, o, add[o].Weight)
	}
	sql := "UPDATE vote_counters SET votes = votes + CASE option_id" + votes.String() + " ELSE 0 END, " +
		"weight = weight + CASE option_id" + weight.String() + " ELSE 0 END WHERE poll_id = ?"
	return sql, append(append(vArgs, wArgs...), pollID)
}

// pending returns the indexes of the votes not refused so far.
func pending(reqs []castRequest, res []error) []int {
	var out []int
	for i := range reqs {
		if res[i] == nil {
			out = append(out, i)
		}
	}
	return out
}

// distinct returns the sorted distinct keys of reqs.
func distinct(reqs []castRequest, key func(castRequest) string) []string {
	set := map[string]bool{}
	for _, r := range reqs {
		set[key(r)] = true
	}
	return slices.Sorted(maps.Keys(set))
}
