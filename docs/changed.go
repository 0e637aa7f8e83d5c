package docs

import (
	"context"
	"sync"

	"github.com/curia/curia/internal/web"
)

// ChangeHook is told, after the commit and outside the document locks,
// that a document was deleted, or that who may see it changed (made
// confidential or open, or its readers set). The presentation uses it:
// a deleted document shown to the room stops being shown, and one whose
// readers changed is announced again to its new audience.
type ChangeHook func(ctx context.Context, a web.Actor, ch Change)

// Change is what a ChangeHook is told.
type Change struct {
	MeetingID  string
	DocumentID string
	Deleted    bool
	// AuditTitle is the document's title for an audit entry of another
	// package (the document may be gone when it writes it): "" when the
	// document is confidential, as AuditTitle answers.
	AuditTitle string
}

type changeHooks struct {
	mu  sync.Mutex
	all []ChangeHook
}

// AddChangeHook registers fn to run after every such change.
func (s *Service) AddChangeHook(fn ChangeHook) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	s.hooks.all = append(s.hooks.all, fn)
}

func (s *Service) documentChanged(ctx context.Context, a web.Actor, doc Document, deleted bool) {
	ch := Change{MeetingID: doc.MeetingID, DocumentID: doc.ID, Deleted: deleted}
	if !doc.Confidential {
		ch.AuditTitle = doc.Title
	}
	s.hooks.mu.Lock()
	hooks := append([]ChangeHook(nil), s.hooks.all...)
	s.hooks.mu.Unlock()
	for _, fn := range hooks {
		fn(ctx, a, ch)
	}
}
