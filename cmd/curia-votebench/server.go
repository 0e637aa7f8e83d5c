package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/ids"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// server is one in-process Curia on a fresh database.
type server struct {
	app     *app.App
	url     string
	pollID  string
	meeting string
	chair   web.Actor
	stop    func()
}

// startServer runs Curia on 127.0.0.1:0 with a fresh database and a live
// meeting with an open secret poll.
func startServer(ctx context.Context, db string) (*server, error) {
	dir, err := os.MkdirTemp("", "curia-votebench-")
	if err != nil {
		return nil, err
	}
	dbURL, drop, err := freshDatabase(db, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cleanup := func() { drop(); os.RemoveAll(dir) }
	s, err := serve(ctx, dir, dbURL)
	if err != nil {
		cleanup()
		return nil, err
	}
	stop := s.stop
	s.stop = func() { stop(); cleanup() }
	if err := s.prepare(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func serve(ctx context.Context, dir, dbURL string) (*server, error) {
	cfg := app.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: dbURL, Hash: account.FastHashParams(), LogLevel: "error"}
	log := slog.New(slog.DiscardHandler) // the request log would cost more than the votes
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := app.New(ctx, cfg, log, db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx, ln) }()
	stop := func() { cancel(); <-done; _ = a.Close() }
	return &server{app: a, url: "http://" + ln.Addr().String(), stop: stop}, nil
}

// prepare makes a live meeting chaired by a new user and opens a poll.
func (s *server) prepare(ctx context.Context) error {
	u, err := s.app.Accounts.CreateUser(ctx, nil, account.NewUser{Username: "chair", Password: "correct horse battery", FullName: "Chủ tọa"}, "")
	if err != nil {
		return err
	}
	s.chair = web.Actor{UserID: u.ID}
	m, err := s.app.Meetings.Create(ctx, s.chair, meeting.NewMeeting{Title: "Kỳ họp đo tải"})
	if err != nil {
		return err
	}
	s.meeting = m.ID
	for _, st := range []string{"scheduled", "live"} {
		if _, err := s.app.Meetings.SetStatus(ctx, s.chair, m.ID, st); err != nil {
			return err
		}
	}
	p, err := s.app.Votes.CreatePoll(ctx, s.chair, m.ID, vote.NewPoll{Title: "Thông qua nghị quyết", Secret: true})
	if err != nil {
		return err
	}
	s.pollID = p.ID
	return nil
}

// freshDatabase returns the URL of an empty database and how to drop it:
// SQLite in dir, or a new schema on the PostgreSQL server.
func freshDatabase(db, dir string) (string, func(), error) {
	if db == "sqlite" {
		return "sqlite:" + dir + "/curia.db", func() {}, nil
	}
	admin, err := gorm.Open(postgres.Open(db), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	schema := "votebench_" + ids.New()
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return "", nil, err
	}
	drop := func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if sqlDB, err := admin.DB(); err == nil {
			_ = sqlDB.Close()
		}
	}
	sep := "?"
	if strings.Contains(db, "?") {
		sep = "&"
	}
	return db + sep + "search_path=" + schema, drop, nil
}

func backendName(db string) string {
	if db == "sqlite" {
		return "SQLite (WAL, synchronous=FULL)"
	}
	return "PostgreSQL"
}

func gomaxprocs() int { return runtime.GOMAXPROCS(0) }

// startProfile starts a CPU profile to path ("" for none) and returns
// what stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
