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
type ChangeHook func(ctx context.Context, a web.Actor, meetingID, documentID string, deleted bool)

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

func (s *Service) documentChanged(ctx context.Context, a web.Actor, meetingID, documentID string, deleted bool) {
	s.hooks.mu.Lock()
	hooks := append([]ChangeHook(nil), s.hooks.all...)
	s.hooks.mu.Unlock()
	for _, fn := range hooks {
		fn(ctx, a, meetingID, documentID, deleted)
	}
}
