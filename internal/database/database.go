// Package database opens Curia's one database — embedded SQLite by default,
// PostgreSQL when a postgres:// URL is given — and runs migrations. Only
// store code uses the *gorm.DB it returns.
package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
}

// Options configure Open.
type Options struct {
	// URL is a postgres:// URL, a sqlite: path (sqlite:/var/lib/curia.db),
	// or empty for SQLite at DataDir/curia.db.
	URL     string
	DataDir string
	Logger  *slog.Logger
	// MaxConns bounds the connections that serve requests (0: the
	// default below); the ones held for good (heldConns) come on top.
	MaxConns int
	// MustExist makes Open refuse, with an error that wraps ErrNoDatabase,
	// when there is no Curia database yet: no SQLite file (Open then
	// creates neither the file nor the data directory), or a PostgreSQL
	// database without Curia's schema. Commands that read or add to an
	// existing database set it, so that a mistyped data directory is not
	// answered from a fresh, empty database.
	MustExist bool
}

// ErrNoDatabase is wrapped by Open's error when Options.MustExist is set
// and there is no database yet.
var ErrNoDatabase = errors.New("no Curia database")

// defaultMaxConns is the connection pool's default size. For SQLite (WAL)
// it is the readers beside the one writer; writers queue on BEGIN
// IMMEDIATE with a busy timeout. For PostgreSQL it is deliberately
// small: a vote storm on two cores with 40 connections spent most of its
// time in 40 backends competing for the CPU (1,000 votes: p99 1.2 s),
// and with 8 to 12 took a third of that; requests wait for a connection
// in Go, where waiting is cheap. A larger server may want more
// (CURIA_DATABASE_MAX_CONNS).
func defaultMaxConns(d Dialect) int {
	if d == Postgres {
		return 10
	}
	return 8
}

// heldConns counts the connections taken out of the pool for good once
// used: the vote writer's pinned connection and, on PostgreSQL, the live
// hub's LISTEN. The pool is that much larger than MaxConns, so that a
// small setting cannot leave requests without a connection at all.
func heldConns(d Dialect) int {
	if d == Postgres {
		return 2
	}
	return 1
}

// Open connects and checks the connection.
func Open(ctx context.Context, opt Options) (*DB, error) {
	dialect, dialector, path, err := dialectorFor(opt)
	if err != nil {
		return nil, err
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 newLogger(opt.Logger),
		SkipDefaultTransaction: true, // stores open their own transactions where they need one
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		if dialect == SQLite {
			return nil, sqliteOpenError(path, err)
		}
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	conns := opt.MaxConns
	if conns <= 0 {
		conns = defaultMaxConns(dialect)
	}
	// Idle connections are kept up to the limit: closing them after a
	// burst only to open new ones (a PostgreSQL backend each) in the next
	// costs more than keeping them.
	conns += heldConns(dialect)
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	if dialect == Postgres {
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	db := &DB{Gorm: g, Dialect: dialect}
	if err := db.Ping(ctx); err != nil {
		_ = db.Close()
		if dialect == SQLite {
			return nil, sqliteOpenError(path, err)
		}
		return nil, err
	}
	if opt.MustExist && dialect == Postgres && !g.Migrator().HasTable(&schemaRun{}) {
		_ = db.Close()
		return nil, fmt.Errorf("%w in this PostgreSQL database (CURIA_DATABASE_URL): `curia migrate` creates one", ErrNoDatabase)
	}
	return db, nil
}

// sqliteOpenError names the database file in an error met while opening
// it. The driver reports a file it cannot open (SQLITE_CANTOPEN, 14) as
// "unable to open database file: out of memory (14)" and names no file;
// that one is said plainly, with its likely cause.
func sqliteOpenError(path string, err error) error {
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == sqliteCantOpen {
		why := "check that its directory exists and that Curia may write there"
		if _, serr := os.Stat(filepath.Dir(path)); errors.Is(serr, os.ErrNotExist) {
			why = fmt.Sprintf("the directory %s does not exist", filepath.Dir(path))
		}
		return &openError{msg: fmt.Sprintf("cannot open the database file %s: %s", path, why), err: err}
	}
	return fmt.Errorf("cannot open the database file %s: %w", path, err)
}

// sqliteCantOpen is SQLite's primary result code SQLITE_CANTOPEN.
const sqliteCantOpen = 14

// openError reads as its own message and keeps the driver's error for
// errors.Is and errors.As.
type openError struct {
	msg string
	err error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() error { return e.err }

// dialectorFor picks the engine; for SQLite it also returns the file's path.
func dialectorFor(opt Options) (Dialect, gorm.Dialector, string, error) {
	u := strings.TrimSpace(opt.URL)
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if _, err := url.Parse(u); err != nil {
			return "", nil, "", errors.New("CURIA_DATABASE_URL is not a valid URL")
		}
		return Postgres, postgres.Open(u), "", nil
	case u == "" || strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			if opt.DataDir == "" {
				return "", nil, "", errors.New("no data directory for the SQLite database")
			}
			path = filepath.Join(opt.DataDir, "curia.db")
		}
		if opt.MustExist {
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				return "", nil, "", fmt.Errorf("%w at %s: check the data directory (--data, CURIA_DATA_DIR) or the database URL (--db, CURIA_DATABASE_URL); `curia migrate` creates one", ErrNoDatabase, path)
			}
		} else if u == "" {
			if err := os.MkdirAll(opt.DataDir, 0o750); err != nil {
				return "", nil, "", fmt.Errorf("create data directory: %w", err)
			}
		}
		pool, err := openSQLite(path, sqliteDSN(path))
		if err != nil {
			return "", nil, "", err
		}
		return SQLite, sqlite.Dialector{Conn: pool}, path, nil
	default:
		return "", nil, "", errors.New("CURIA_DATABASE_URL must start with postgres:// or sqlite: as in sqlite:/var/lib/curia/curia.db")
	}
}

// sqliteDSN sets the pragmas on every pooled connection: a busy timeout
// (first, so that the others wait for a lock rather than fail), WAL, full
// fsync (votes must survive a power cut), foreign keys, and temporary
// storage in memory; and makes every transaction BEGIN IMMEDIATE so two
// writers never deadlock on a lock upgrade ("database is locked").
//
// Temporary storage holds the statement journal of a multi-row INSERT
// (a group commit of strokes or votes), which SQLite otherwise spills to
// a file in the temporary directory once it passes 64 KB: with 50
// delegates drawing, a write system call per page, 7 % of the server's
// CPU. In memory it holds what one statement changes (a document deleted
// with its annotations: their pages), and the sorts and indexes a query
// or a migration builds; Curia's queries sort on indexes or by page.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + sqliteURIPath(path) + "?" + q.Encode()
}

// sqliteURIPath writes a file name as the path of an SQLite URI. SQLite
// ends the path at '?' or '#' and decodes %HH escapes in it, and the
// driver splits the query off at the first '?': so these three are
// escaped, and nothing else is (SQLite decodes only %HH). A name that
// starts with "//" would be read as an authority, so it is cleaned.
func sqliteURIPath(path string) string {
	path = filepath.Clean(path)
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		switch c := path[i]; c {
		case '%', '?', '#':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return sqlDB.PingContext(ctx)
}

// Close closes the pool.
func (db *DB) Close() error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func newLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		return logger.Discard
	}
	// Log slow queries and real errors only; never the SQL's bound values.
	return conflictsAreNotErrors{logger.NewSlogLogger(l, logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	})}
}

// conflictsAreNotErrors keeps unique-constraint violations out of the
// error log: the stores turn them into Conflicts (a username taken, a
// ballot cast twice), which are answered 409 and are part of normal use,
// like a record not found. Such a statement is still logged when slow.
type conflictsAreNotErrors struct{ logger.Interface }

func (l conflictsAreNotErrors) LogMode(level logger.LogLevel) logger.Interface {
	return conflictsAreNotErrors{l.Interface.LogMode(level)}
}

func (l conflictsAreNotErrors) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if IsUniqueViolation(err) {
		err = nil
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// ParamsFilter passes on the wrapped logger's filter, which keeps the
// bound values out of the SQL that is logged: gorm looks for it on the
// logger it is given, and an embedded interface would hide it.
func (l conflictsAreNotErrors) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}
