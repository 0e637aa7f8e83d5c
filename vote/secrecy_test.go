package vote_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// TestSecretPollLeavesNoLink votes a secret poll, closes it, and then
// looks everywhere a voter could be tied to a choice: every row of every
// table, the server's log, the audit log and the API. No row or line may
// hold a voter and a choice together; on PostgreSQL no counter's row
// version may point at a vote batch either.
func TestSecretPollLeavesNoLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		srv := apptest.Start(t, b)
		c := srv.NewCast("vsec")
		// Option ids nothing else in the database could contain.
		m, p := livePoll(c, map[string]any{"title": "Bầu kín", "secret": true,
			"options": []map[string]string{{"id": "ung-vien-qxj", "label": "Ứng viên Q"}, {"id": "ung-vien-wzk", "label": "Ứng viên W"}}})
		voters := crowd(t, srv, c.Secretary, m, 12, true)
		step(c.Chair, p, "open", ok)
		choices := map[string]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, cl := range voters {
			opt := []string{"ung-vien-qxj", "ung-vien-wzk"}[i%2]
			mu.Lock()
			choices[cl.UserID] = opt
			mu.Unlock()
			wg.Go(func() { voteAs(cl, p, opt).Check(t, "secret vote", created) })
		}
		wg.Wait()
		closed := step(c.Chair, p, "close", ok)
		if w := closed.weights(); w["ung-vien-qxj"] != 6 || w["ung-vien-wzk"] != 6 {
			t.Fatalf("tally %v", w)
		}
		step(c.Chair, p, "publish", ok)

		for table, rows := range dump(t, srv) {
			for _, row := range rows {
				if voter, opt := linked(row, choices); voter != "" {
					t.Errorf("table %s holds voter %s with choice %s: %s", table, voter, opt, row)
				}
			}
		}
		for _, line := range strings.Split(srv.Logs.String(), "\n") {
			if strings.Contains(line, "ung-vien-") {
				t.Errorf("the log names a choice: %s", line)
			}
		}
		// What names voters names no choice, and what names choices names no voter.
		for _, path := range []string{"/api/v1/polls/" + p + "/voters", "/api/v1/audit?limit=1000&meeting_id=" + m} {
			if body := string(c.Admin.Must(ok, "GET", path, nil).Body); strings.Contains(body, "ung-vien-") {
				t.Errorf("%s names a choice: %s", path, body)
			}
		}
		for _, path := range []string{"/api/v1/polls/" + p, "/api/v1/polls/" + p + "/results.csv", "/api/v1/meetings/" + m + "/polls"} {
			body := string(c.Admin.Must(ok, "GET", path, nil).Body)
			for voter := range choices {
				if strings.Contains(body, voter) {
					t.Errorf("%s names voter %s", path, voter)
				}
			}
		}
		if b.Name == "postgres" {
			checkRowVersions(t, srv, p)
		}
	})
}

// linked returns a voter and a choice that appear together in row.
func linked(row string, choices map[string]string) (string, string) {
	for voter, opt := range choices {
		if strings.Contains(row, voter) && (strings.Contains(row, "ung-vien-qxj") || strings.Contains(row, "ung-vien-wzk")) {
			return voter, opt
		}
	}
	return "", ""
}

// dump returns every row of every table, each rendered as text.
func dump(t *testing.T, srv *apptest.Server) map[string][]string {
	t.Helper()
	db := srv.App.DB.Gorm
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		var rows []map[string]any
		if err := db.Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for _, r := range rows {
			out[table] = append(out[table], fmt.Sprint(r))
		}
	}
	return out
}

// checkRowVersions: every counter of the poll was last written by the
// close, not by a vote batch, so its xmin names no voter's transaction.
func checkRowVersions(t *testing.T, srv *apptest.Server, pollID string) {
	t.Helper()
	db := srv.App.DB.Gorm
	var counters, batches []string
	db.Raw("SELECT xmin::text FROM vote_counters WHERE poll_id = ?", pollID).Scan(&counters)
	db.Raw("SELECT xmin::text FROM vote_participations WHERE poll_id = ?", pollID).Scan(&batches)
	for _, x := range counters {
		if x != counters[0] {
			t.Errorf("counters of one poll last written by different transactions: %v", counters)
		}
		for _, y := range batches {
			if x == y {
				t.Errorf("a counter's row version %s is a vote batch's transaction", x)
			}
		}
	}
}
