package agenda

import (
	"context"
	"sync"

	"gorm.io/gorm"
)

// DeleteGuard may refuse to delete agenda items: another package's
// records that name them (documents filed under an item, polls prepared
// for it) would otherwise name items that no longer exist. It runs inside
// the deleting transaction after the meeting row and the rows of the
// items about to go (an item and its sub-items, whose ids it gets) are
// locked (FOR UPDATE), so nothing it checks can change meanwhile in a
// transaction that locks the meeting or one of those items (LockItem)
// first. Its error, normally an apperr Conflict with a message for the
// user, stops the delete; nothing is deleted.
type DeleteGuard func(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error

// guards holds the delete guards other packages register (the wiring in
// internal/app), so that this package needs to import none of them.
type guards struct {
	mu  sync.RWMutex
	all []DeleteGuard
}

func (g *guards) add(fn DeleteGuard) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all = append(g.all, fn)
}

func (g *guards) check(ctx context.Context, tx *gorm.DB, meetingID string, itemIDs []string) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, fn := range g.all {
		if err := fn(ctx, tx, meetingID, itemIDs); err != nil {
			return err
		}
	}
	return nil
}

// AddDeleteGuard registers fn to be asked before any agenda item is
// deleted.
func (s *Service) AddDeleteGuard(fn DeleteGuard) { s.deleteGuards.add(fn) }
