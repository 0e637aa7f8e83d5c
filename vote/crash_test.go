package vote_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
	"github.com/curia/curia/vote/votetest"
)

// TestKillDuringStorm kills the real curia binary with SIGKILL in the
// middle of a storm of votes, restarts it on the same database and has
// everyone vote again: each vote acknowledged before the kill is there,
// with its choice, and nobody is counted twice.
func TestKillDuringStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the curia binary")
	}
	bin := filepath.Join(t.TempDir(), "curia")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/curia/curia/cmd/curia").CombinedOutput(); err != nil {
		t.Fatalf("build curia: %v\n%s", err, out)
	}
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		dbURL, dir := b.URL(t)
		f := prepareCrash(t, dbURL, dir, 400)
		first := f.storm(t, bin, dbURL, dir, 60)
		second := f.storm(t, bin, dbURL, dir, 0)
		f.check(t, bin, dbURL, dir, first, second)
	})
}

// crashFixture is a named poll open to its voters, made in-process before
// the binary runs on the same database.
type crashFixture struct {
	pollID string
	chair  string // a session token
	voters []votetest.Voter
}

func (f crashFixture) choice(i int) string { return []string{"agree", "disagree", "abstain"}[i%3] }

func prepareCrash(t *testing.T, dbURL, dir string, n int) crashFixture {
	t.Helper()
	ctx := context.Background()
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: dbURL, Hash: account.FastHashParams(), LogLevel: "error"}
	log := slog.New(slog.DiscardHandler)
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	u, err := a.Accounts.CreateUser(ctx, nil, account.NewUser{Username: "crash.chair", Password: "correct horse battery", FullName: "Chủ tọa"}, "")
	must(t, err)
	chair := web.Actor{UserID: u.ID}
	m, err := a.Meetings.Create(ctx, chair, meeting.NewMeeting{Title: "Kỳ họp bị ngắt điện"})
	must(t, err)
	for _, st := range []string{"scheduled", "live"} {
		_, err = a.Meetings.SetStatus(ctx, chair, m.ID, st)
		must(t, err)
	}
	p, err := a.Votes.CreatePoll(ctx, chair, m.ID, vote.NewPoll{Title: "Biểu quyết công khai", Secret: false})
	must(t, err)
	_, err = a.Votes.OpenPoll(ctx, chair, p.ID)
	must(t, err)
	voters, err := votetest.Seed(ctx, a, m.ID, n, true)
	must(t, err)
	s, err := a.Accounts.IssueSession(ctx, u.ID)
	must(t, err)
	return crashFixture{pollID: p.ID, chair: s.Token, voters: voters}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// storm starts the binary and has every voter vote, paced so the storm
// lasts a while; after killAfter acknowledgements (0: never) it kills the
// server with SIGKILL. It returns each voter's answer (0: none came).
func (f crashFixture) storm(t *testing.T, bin, dbURL, dir string, killAfter int) []int {
	t.Helper()
	cmd, url := startBinary(t, bin, dbURL, dir)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	status := make([]int, len(f.voters))
	var acks atomic.Int64
	var kill sync.Once
	var wg sync.WaitGroup
	for i, v := range f.voters {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * time.Millisecond)
			status[i] = send(hc, url+"/api/v1/polls/"+f.pollID+"/votes", v.Token, fmt.Sprintf(`{"option":%q}`, f.choice(i)))
			if status[i] == created && acks.Add(1) == int64(killAfter) {
				kill.Do(func() { _ = cmd.Process.Kill() })
			}
		})
	}
	wg.Wait()
	if killAfter == 0 {
		stopBinary(t, cmd)
	} else {
		_ = cmd.Wait()
	}
	return status
}

// check restarts the binary, closes the poll and compares each voter's
// recorded choice with what the server acknowledged.
func (f crashFixture) check(t *testing.T, bin, dbURL, dir string, first, second []int) {
	t.Helper()
	cmd, url := startBinary(t, bin, dbURL, dir)
	defer stopBinary(t, cmd)
	var p poll
	res := do(t, url, "POST", "/api/v1/polls/"+f.pollID+"/close", f.chair)
	if res.status != ok || res.json(&p) != nil {
		t.Fatalf("close after restart: %d %s", res.status, res.body)
	}
	recorded := map[string][]string{}
	for _, v := range p.Votes {
		if _, twice := recorded[v.UserID]; twice {
			t.Errorf("voter %s counted twice", v.UserID)
		}
		recorded[v.UserID] = v.Options
	}
	killed, lost := 0, 0
	for i, v := range f.voters {
		got := recorded[v.UserID]
		switch {
		case first[i] == created && (len(got) != 1 || got[0] != f.choice(i)):
			t.Errorf("voter %d was acknowledged before the kill but recorded %v", i, got)
		case first[i] == created && second[i] != conflict:
			t.Errorf("voter %d voted again after the restart: %d", i, second[i])
		case first[i] != created && second[i] == created && len(got) != 1:
			t.Errorf("voter %d was acknowledged after the restart but recorded %v", i, got)
		case first[i] != created && second[i] == conflict:
			lost++ // committed before the kill, answer lost with it
		}
		if first[i] == 0 {
			killed++
		}
	}
	if p.Electorate.Voted != len(f.voters) || len(p.Votes) != len(f.voters) {
		t.Errorf("%d voters, %d counted, %d named", len(f.voters), p.Electorate.Voted, len(p.Votes))
	}
	t.Logf("%d votes cut off by the kill; %d of them had committed without their answer", killed, lost)
}

// startBinary runs curia serve on the database and waits until it listens.
func startBinary(t *testing.T, bin, dbURL, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "CURIA_ADDR=127.0.0.1:0", "CURIA_DATA_DIR="+dir, "CURIA_DATABASE_URL="+dbURL, "CURIA_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return cmd, m[1]
		}
	}
	t.Fatal("curia serve did not start")
	return nil, ""
}

// stopBinary stops the server the way an operator does (SIGINT).
func stopBinary(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Error("curia serve did not stop on SIGINT")
		_ = cmd.Process.Kill()
	}
}

type answer struct {
	status int
	body   []byte
}

func (a answer) json(v any) error { return json.Unmarshal(a.body, v) }

func do(t *testing.T, url, method, path, token string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url+path, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, err)
	return answer{res.StatusCode, body}
}
