package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/account"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/testpdf"
)

// appServer is the whole Curia app (internal/app) on a fresh SQLite
// database: real sessions, real participants, the real live endpoint with
// its authorisation (liveAuth) and snapshot. Page turns and strokes go
// through the real API (the parent calls it); /debug/seed prepares a
// meeting.
type appServer struct {
	app  *app.App
	dir  string
	addr string // set once listening; the seed calls the API through it
	http *http.Client

	stopFloor func() // lets the heap floor's ballast go
}

func newAppServer(ctx context.Context, dbdir string) (*appServer, error) {
	dir, err := os.MkdirTemp(dbdir, "curia-bench-app-")
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: dir, Hash: account.FastHashParams(), LogLevel: "error", LogFormat: "text",
		WorkerCmd: []string{exe, "pdf-worker"},
		// Every drawer draws all its strokes on one page, rate × duration ×
		// rounds of them: more than a delegate's 500 with a long run.
		AnnotationLimits: docs.AnnotationLimits{PerVersion: 1 << 30, PerPage: 1 << 30, BytesPerVersion: 1 << 40}}
	log := app.NewLogger(cfg, os.Stderr)
	// The heap floor as the server has it (CURIA_HEAP_FLOOR_MB, GOGC).
	if env, err := app.FromEnv(os.Getenv); err == nil {
		cfg.HeapFloorMB = env.HeapFloorMB
	}
	stopFloor := app.StartHeapFloor(cfg, log, os.Getenv)
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		stopFloor()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		stopFloor()
		_ = db.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &appServer{app: a, dir: dir, http: &http.Client{Timeout: time.Minute}, stopFloor: stopFloor}, nil
}

func (s *appServer) live() http.Handler { return s.app.Handler() }

// publish is not used: the parent turns pages through the API.
func (s *appServer) publish(int) {}

func (s *appServer) close(ctx context.Context) error {
	err := s.app.Hub.Close(ctx)
	_ = s.app.Close()
	s.stopFloor()
	_ = os.RemoveAll(s.dir)
	return err
}

// slowDrops reads the hub's count of clients dropped for being slow.
func (s *appServer) slowDrops() float64 {
	return counter(s.app.Gatherer(), "curia_live_slow_client_drops_total")
}

func counter(g prometheus.Gatherer, name string) float64 {
	mfs, _ := g.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// seedResult is what the parent needs to drive a seeded meeting.
type seedResult struct {
	Meeting    string   `json:"meeting"`
	Document   string   `json:"document"`
	ChairToken string   `json:"chair_token"`
	Tokens     []string `json:"tokens"` // one per delegate, each a distinct user
}

// seed creates a secretary, a chair and n delegates with sessions, a live
// meeting with all of them, a document of pages pages, and presents its
// last page. Users and sessions are made by the account service; the
// meeting, its document, status and presentation through the API; the n
// delegates are added to the meeting in one transaction through the
// database, since adding them one by one through the API publishes the
// whole participant list each time (O(n²) bytes, minutes at 5,000).
func (s *appServer) seed(ctx context.Context, n, pages int) (seedResult, error) {
	var res seedResult
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	user := func(name string) (string, string, error) {
		u, err := s.app.Accounts.CreateUser(ctx, nil, account.NewUser{Username: name + "." + run, Password: "bench-password",
			FullName: "Bench " + name}, "")
		if err != nil {
			return "", "", err
		}
		sess, err := s.app.Accounts.IssueSession(ctx, u.ID)
		return u.ID, sess.Token, err
	}
	_, secretary, err := user("secretary")
	if err != nil {
		return res, err
	}
	chairID, chair, err := user("chair")
	if err != nil {
		return res, err
	}
	res.ChairToken = chair
	var m struct{ ID string }
	if err := s.call(ctx, secretary, "POST", "/api/v1/meetings", map[string]any{"title": "Bench " + run}, &m); err != nil {
		return res, err
	}
	res.Meeting = m.ID
	if err := s.call(ctx, secretary, "PUT", "/api/v1/meetings/"+m.ID+"/participants/"+chairID, map[string]any{"role": "chair"}, nil); err != nil {
		return res, err
	}
	ids := make([]string, n)
	res.Tokens = make([]string, n)
	for i := range n {
		if ids[i], res.Tokens[i], err = user(fmt.Sprintf("d%d", i)); err != nil {
			return res, err
		}
	}
	rows := make([]map[string]any, n)
	now := time.Now().UTC()
	for i, id := range ids {
		rows[i] = map[string]any{"meeting_id": m.ID, "user_id": id, "role": "delegate", "can_vote": true, "weight": 1,
			"added_at": now, "attendance": "", "attendance_reason": "", "recorded_by": ""}
	}
	if err := s.app.DB.Gorm.WithContext(ctx).Table("meeting_participants").CreateInBatches(rows, 500).Error; err != nil {
		return res, fmt.Errorf("add delegates: %w", err)
	}
	var doc struct{ ID string }
	if err := s.upload(ctx, secretary, "/api/v1/meetings/"+m.ID+"/documents", testpdf.Pages(pages, "bench"+run), &doc); err != nil {
		return res, err
	}
	res.Document = doc.ID
	for _, st := range []string{"scheduled", "live"} {
		if err := s.call(ctx, secretary, "POST", "/api/v1/meetings/"+m.ID+"/status", map[string]any{"status": st}, nil); err != nil {
			return res, err
		}
	}
	err = s.call(ctx, chair, "PUT", "/api/v1/meetings/"+m.ID+"/presentation", map[string]any{"document_id": doc.ID, "page": pages}, nil)
	return res, err
}

// call sends a JSON request to the app and decodes a 2xx answer into out.
func (s *appServer) call(ctx context.Context, token, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return s.do(ctx, token, method, path, "application/json", bytes.NewReader(b), out)
}

func (s *appServer) upload(ctx context.Context, token, path string, pdf []byte, out any) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "bench.pdf")
	if err != nil {
		return err
	}
	_, _ = fw.Write(pdf)
	_ = mw.WriteField("title", "Bench document")
	_ = mw.Close()
	return s.do(ctx, token, "POST", path, mw.FormDataContentType(), &body, out)
}

func (s *appServer) do(ctx context.Context, token, method, path, ctype string, body io.Reader, out any) error {
	if s.addr == "" {
		return errors.New("seed before listening")
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.addr+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
