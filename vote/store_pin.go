package vote

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"github.com/curia/curia/internal/apperr"
)

// pinnedStore is a store on one connection reserved for the vote writer.
// Under a storm, a thousand requests wait for the pool's few connections
// (8 on SQLite) to check their sessions; from the shared pool the writer
// would queue behind them all, and every vote with it.
type pinnedStore struct {
	base *gorm.DB
	conn *sql.Conn
	st   *store
}

func newPinnedStore(base *gorm.DB) *pinnedStore { return &pinnedStore{base: base} }

// do runs fn with a store on the reserved connection, taken on first use
// and taken afresh after an internal failure (the connection may be its
// cause: a restarted PostgreSQL).
func (p *pinnedStore) do(ctx context.Context, fn func(ctx context.Context, st *store) error) error {
	if p.st == nil {
		if err := p.pin(ctx); err != nil {
			return err
		}
	}
	err := fn(ctx, p.st)
	if apperr.KindOf(err) == apperr.Internal {
		p.release()
	}
	return err
}

func (p *pinnedStore) pin(ctx context.Context) error {
	sqlDB, err := p.base.DB()
	if err != nil {
		return internal(err, "open the vote connection")
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return internal(err, "open the vote connection")
	}
	// A Context makes Session copy the statement: setting ConnPool on the
	// shared one would move every query of the server onto this connection.
	g := p.base.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	if g.Statement == p.base.Statement {
		_ = conn.Close()
		return apperr.New(apperr.Internal, "vote connection shares the pool's statement")
	}
	g.Statement.ConnPool = conn
	p.conn, p.st = conn, &store{db: g}
	return nil
}

// release gives the connection back.
func (p *pinnedStore) release() {
	if p.conn != nil {
		_ = p.conn.Close()
	}
	p.conn, p.st = nil, nil
}
