package vote

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Results returns a closed or published poll with its stored result, for
// export as format ("json", the default when empty, or "csv"); before the
// close there is none to give. Each export is in the audit log
// (poll.results_exported), written before the results are given: a
// named-vote table that leaves the building is on record.
func (s *Service) Results(ctx context.Context, a web.Actor, pollID, format string) (Poll, error) {
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return Poll{}, apperr.Invalidf("format must be json or csv, not %s", web.Quote(format))
	}
	p, err := s.Get(ctx, a, pollID)
	if err != nil {
		return Poll{}, err
	}
	switch p.Status {
	case Closed, Published:
	case Cancelled:
		return Poll{}, apperr.Conflictf("the poll was cancelled: it has no results")
	default:
		return Poll{}, apperr.Conflictf("results exist once the poll is closed (it is %s)", p.Status)
	}
	e := s.entry(a, p.MeetingID, "poll.results_exported", p.ID,
		map[string]any{"format": format, "status": string(p.Status), "named_votes": len(p.Votes)})
	if err := s.store.record(ctx, e); err != nil {
		return Poll{}, err
	}
	return p, nil
}

// CSV renders a poll's results as one table a spreadsheet opens, with a
// byte-order mark so Excel reads the Vietnamese labels right. Each row is
// a kind (poll, option, electorate, decision, vote) and its values:
//
//	kind,key,label,votes,weight,choice
//	option,agree,Đồng ý,12,12,
//	electorate,voted,,20,21,
//	decision,outcome,adopted,,,
//	vote,<user id>,<full name>,,1,agree
func CSV(p Poll) []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	row := func(kind, key, label, votes, weight, choice string) {
		_ = w.Write([]string{kind, cell(key), cell(label), votes, weight, cell(choice)}) // a bytes.Buffer does not fail
	}
	n := func(i int64) string { return strconv.FormatInt(i, 10) }
	row("kind", "key", "label", "votes", "weight", "choice")
	row("poll", p.ID, p.Title, "", "", string(p.Status))
	for _, r := range p.Results {
		row("option", r.Option, r.Label, n(r.Votes), n(r.Weight), "")
	}
	if e := p.Electorate; e != nil {
		row("electorate", "members", "", strconv.Itoa(e.Members), n(e.MembersWeight), "")
		row("electorate", "present", "", strconv.Itoa(e.Present), n(e.PresentWeight), "")
		row("electorate", "eligible", "", strconv.Itoa(e.Eligible), n(e.EligibleWeight), "")
		row("electorate", "voted", "", strconv.Itoa(e.Voted), n(e.VotedWeight), "")
	}
	if d := p.Decision; d != nil {
		row("decision", "majority", string(d.Majority), "", "", "")
		row("decision", "base", "", "", n(d.Base), "")
		row("decision", "required", "", "", n(d.Required), "")
		row("decision", "outcome", string(d.Outcome), "", "", strings.Join(append(d.Elected, d.Tied...), " "))
	}
	for _, v := range p.Votes {
		row("vote", v.UserID, v.FullName, "", strconv.Itoa(v.Weight), strings.Join(v.Options, " "))
	}
	w.Flush()
	return buf.Bytes()
}

// cell defuses text a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
