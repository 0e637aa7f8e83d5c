package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/curia/curia/account"
	"github.com/curia/curia/agenda"
	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/frontend"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/priority"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/minutes"
	"github.com/curia/curia/presentation"
	"github.com/curia/curia/realtime"
	"github.com/curia/curia/vote"
)

// App is a running Curia: its database, services and HTTP handler.
type App struct {
	Config   Config
	Log      *slog.Logger
	DB       *database.DB
	Accounts *account.Service
	Audit    *audit.Log
	auditW   *audit.Batcher
	Meetings *meeting.Service
	Agenda   *agenda.Service
	Docs     *docs.Service
	Present  *presentation.Service
	Hub      *realtime.Hub
	Votes    *vote.Service
	Minutes  *minutes.Service
	PDF      *pdf.Runner // isolated PDF workers (the demo makes its documents with them)
	echo     *echo.Echo
	registry *prometheus.Registry
}

// NewLogger returns the logger the config asks for.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// Open connects to the database and brings its schema up to date.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*database.DB, error) {
	db, err := database.Open(ctx, database.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: log, MaxConns: cfg.DatabaseConns})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Migrations()...); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Migrations lists every package's schema step, in dependency order.
func Migrations() []database.Step {
	return []database.Step{account.Migration(), audit.Migration(), meeting.Migration(), agenda.Migration(),
		docs.Migration(), presentation.Migration(), vote.Migration(), realtime.Migration()}
}

// New builds Curia on an open, migrated database.
func New(ctx context.Context, cfg Config, log *slog.Logger, db *database.DB) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	a := &App{Config: cfg, Log: log, DB: db, Audit: audit.New(db), registry: prometheus.NewRegistry()}
	accounts, err := account.NewService(db, account.Config{SessionTTL: cfg.SessionTTL, IdleTimeout: cfg.IdleTimeout,
		Hash: cfg.Hash, Limits: cfg.LoginLimits, Logger: log, SessionsChanged: a.sessionsChanged})
	if err != nil {
		return nil, err
	}
	a.Accounts = accounts
	if cfg.AdminPassword != "" {
		created, err := accounts.EnsureAdmin(ctx, cfg.AdminPassword)
		if err != nil {
			return nil, fmt.Errorf("create admin: %w", err)
		}
		if created {
			log.Info("created user admin from CURIA_ADMIN_PASSWORD")
		}
	}
	hub, err := realtime.New(realtime.Options{DB: db, Authorizer: liveAuth{a}, Snapshotter: liveSnapshot{a},
		Logger: log, Metrics: a.registry, AllowedOrigins: cfg.AllowedOrigins, HTTPSOnly: cfg.SecureCookie, UserDisconnected: accounts.Forget,
		Sessions: liveAuth{a}, SessionCheck: accounts.KeepAliveEvery(),
		// Strokes reach a big room a few milliseconds late so that a
		// page turn never waits behind their fan-out (realtime/pace.go).
		Paced: []string{docs.AnnotationsCreatedEvent}})
	if err != nil {
		return nil, err
	}
	a.Hub = hub
	hub.Handle("pointer", a.pointer)
	var pub event.Publisher = hub
	if cfg.Publisher != nil { // tests watch what is published
		pub = event.Multi{hub, cfg.Publisher}
	}
	a.Meetings = meeting.NewService(db, meeting.Config{Users: accounts, Publisher: pub, Removed: a.participantRemoved,
		AccessChanged: a.meetingAccessChanged, AttendanceChanged: a.attendanceChanged})
	a.Agenda = agenda.NewService(db, agenda.Config{Meetings: a.Meetings, Users: accounts, Publisher: pub})
	a.auditW = audit.NewBatcher(db)
	a.PDF = newPDFWorkers(cfg)
	// Page turns go before strokes on this node (package priority).
	urgent := &priority.Gate{}
	a.Docs = docs.NewService(db, docs.Config{DataDir: cfg.DataDir, MaxUpload: cfg.MaxUploadBytes, Meetings: a.Meetings,
		Agenda: a.Agenda, PDF: a.PDF, Publisher: pub, Shown: a.shown, Audit: a.auditW, Logger: log,
		AnnotationLimits: cfg.AnnotationLimits, Urgent: urgent})
	a.Present = presentation.NewService(db, presentation.Config{Meetings: a.Meetings, Agenda: a.Agenda,
		Documents: a.Docs, Publisher: pub, Logger: log, Urgent: urgent})
	a.Votes = vote.NewService(db, vote.Config{Meetings: a.Meetings, Agenda: a.Agenda, Publisher: pub, Logger: log})
	a.Minutes = minutes.NewService(minutes.Config{Meetings: a.Meetings, Agenda: a.Agenda, Documents: a.Docs,
		Polls: a.Votes, Audit: a.auditW})
	a.Meetings.AddCloseGuard(a.Votes.MeetingCloseGuard) // no meeting closes with a poll open
	a.Meetings.AddCloseHook(a.Agenda.CloseHook)         // the close ends the turn and the item under discussion
	a.Meetings.AddAdjournHook(a.Agenda.AdjournHook)     // an adjournment ends the turn and stops the item's clock
	a.Meetings.AddResumeHook(a.Agenda.ResumeHook)       // which runs again when the session resumes
	a.Meetings.AddLeaveHook(a.Docs.LeaveHook)           // who leaves leaves the access lists, in the same commit
	a.Meetings.AddLeaveHookAfter(a.Agenda.LeaveHook)    // and presents no agenda item any more
	a.Docs.AddChangeHook(a.Present.DocumentChanged)     // a deleted document stops being shown; new readers, announced again
	a.Agenda.AddDeleteGuard(a.Docs.AgendaDeleteGuard)   // no document names a deleted item
	a.Agenda.AddDeleteGuard(a.Votes.AgendaDeleteGuard)  // nor does a poll
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := a.routes(); err != nil {
		return nil, err
	}
	return a, nil
}

// participantRemoved runs after someone was removed from a meeting or
// given another role in it (their access lists were settled in the
// removal's own transaction, meeting.LeaveHook): docs forgets its cached
// grants, their live connections close (they reconnect as what they now
// are, or are refused), open polls announce fresh progress, and the
// speaker lists let go of them if they may no longer speak. a.Docs and
// the others are made after a.Meetings, and read here only once requests
// run.
func (a *App) participantRemoved(ctx context.Context, meetingID, userID string) {
	a.Docs.ParticipantRemoved(ctx, meetingID, userID)
	a.disconnect(ctx, meetingID, userID) // before the events below, which they may no longer get
	a.Votes.RollChanged(ctx, meetingID)  // open polls: fresh progress
	a.Agenda.ParticipantLeft(ctx, a.Log, meetingID, userID)
}

// disconnect closes the live connections of someone removed from a
// meeting or given another role in it; they reconnect as what they now are.
func (a *App) disconnect(ctx context.Context, meetingID, userID string) {
	if err := a.Hub.Disconnect(ctx, meetingID, userID); err != nil {
		a.Log.WarnContext(ctx, "disconnect a participant whose access changed", "err", err)
	}
}

// sessionsChanged closes, on every node, the live connections opened with
// a session that ended (a logout), or every live connection of a user
// whose sessions ended or whose administrator right changed (session ""):
// they reconnect, and are authorised as what they now are, or refused.
// a.Hub is made after a.Accounts, and read here only once requests run.
func (a *App) sessionsChanged(ctx context.Context, userID, session string) {
	if a.Hub == nil {
		return // still starting: nobody is connected
	}
	var err error
	if session == "" {
		err = a.Hub.DisconnectUser(ctx, userID)
	} else {
		err = a.Hub.DisconnectSession(ctx, userID, session)
	}
	if err != nil {
		a.Log.WarnContext(ctx, "close the live connections of a changed user", "err", err)
	}
}

// meetingAccessChanged has docs forget the grants it caches, and voting
// the meeting's roll, when a meeting's participants or status change.
// a.Docs and a.Votes are made after a.Meetings, and read here only once
// requests run.
func (a *App) meetingAccessChanged(ctx context.Context, meetingID string) {
	a.Docs.MeetingAccessChanged(ctx, meetingID)
	a.Votes.MeetingAccessChanged(ctx, meetingID)
}

// attendanceChanged tells the vote service that someone checked in or
// out: who may vote in an open poll of the members present changed. a.Votes
// is made after a.Meetings, and read here only once requests run.
func (a *App) attendanceChanged(ctx context.Context, meetingID string) {
	a.Votes.RollChanged(ctx, meetingID)
}

// shown tells docs what page a meeting shows a user, for the presenter's
// pointer (docs.ShownFunc): none when nothing is shown, and Forbidden when
// the document shown is confidential and hidden from them (they may not
// point at what they may not see). a.Present is made after a.Docs, and
// read here only once requests run.
func (a *App) shown(ctx context.Context, meetingID, userID string) (string, int, int, error) {
	st, err := a.Present.ForViewer(ctx, meetingID, userID)
	if err != nil {
		return "", 0, 0, err
	}
	if st.Hidden {
		return "", 0, 0, apperr.Forbiddenf("the document shown is confidential and not open to you: you cannot point at it")
	}
	if st.DocumentID == nil {
		return "", 0, 0, nil
	}
	return *st.DocumentID, st.Version, st.Page, nil
}

func (a *App) routes() error {
	e := web.New(web.Options{Logger: a.Log, TrustedProxies: a.Config.TrustedProxies, BodyLimit: 1 << 20,
		Metrics: a.registry, LargeBodyPaths: docs.UploadPaths, BodyIdle: a.Config.bodyIdle(),
		BodyMinRate: a.Config.bodyMinRate(), HTTPSOnly: a.Config.SecureCookie})
	a.echo = e
	// HEAD too: uptime monitors probe with it (the body is not sent).
	getHead := []string{http.MethodGet, http.MethodHead}
	e.Match(getHead, "/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.Match(getHead, "/readyz", a.ready)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{})))

	csrf := http.NewCrossOriginProtection()
	for _, o := range a.Config.AllowedOrigins {
		// In the browser's spelling (Validate keeps them so), which this
		// check compares byte for byte, as the live hub does (web.NormalOrigin).
		n, ok := web.NormalOrigin(o)
		if !ok {
			return fmt.Errorf("allowed origin %q must look like https://host[:port]", o)
		}
		if err := csrf.AddTrustedOrigin(n); err != nil {
			return fmt.Errorf("allowed origin %q: %w", o, err)
		}
	}
	api := e.Group("/api/v1", web.CrossOrigin(csrf, a.Config.SecureCookie))
	accountsHTTP := account.NewHandler(a.Accounts, a.Config.SecureCookie)
	signedIn := api.Group("", accountsHTTP.Authenticate())
	accountsHTTP.Routes(api, signedIn)
	signedIn.GET("/audit", a.listAudit)
	// The hub authenticates and checks the Origin itself, before upgrading.
	api.GET("/meetings/:id/live", a.Hub.EchoHandler("id"))
	meeting.NewHandler(a.Meetings).Routes(signedIn)
	agenda.NewHandler(a.Agenda).Routes(signedIn)
	docs.NewHandler(a.Docs).Routes(signedIn)
	presentation.NewHandler(a.Present).Routes(signedIn)
	vote.NewHandler(a.Votes).Routes(signedIn)
	minutes.NewHandler(a.Minutes).Routes(signedIn)
	// Unknown API paths are a JSON 404, for signed-in and anonymous callers
	// alike; a known path asked with another method is a 405 with Allow.
	api.Any("/*", web.NotFound(e, "/api/v1/*"))
	frontend.Register(e)
	return nil
}

func (a *App) ready(c echo.Context) error {
	if err := a.DB.Ping(c.Request().Context()); err != nil {
		a.Log.Warn("readiness check failed", "err", err)
		return apperr.New(apperr.Unavailable, "the database is unreachable")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.echo }

// Serve answers on ln until ctx ends, then stops accepting, lets in-flight
// requests finish (up to 20 s) and returns nil.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.echo,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	go a.purgeSessions(ctx)
	go a.sweepTemp(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Live connections are hijacked, so Shutdown would not wait for them:
	// tell the tablets first (1001), and they reconnect to another node.
	if err := a.Hub.Close(shutdownCtx); err != nil {
		a.Log.Warn("close live hub", "err", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (a *App) purgeSessions(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.Accounts.PurgeSessions(ctx); err != nil {
				a.Log.Warn("purge sessions", "err", err)
			} else if n > 0 {
				a.Log.Debug("purged sessions", "count", n)
			}
		}
	}
}

// Close stops background work and releases the database.
func (a *App) Close() error {
	_ = a.Hub.Close(context.Background()) // idempotent; Serve closed it already
	a.Votes.Close()                       // answers the votes still queued before the database closes
	a.Present.Close()
	a.Docs.Close()
	a.auditW.Close()
	return a.DB.Close()
}
