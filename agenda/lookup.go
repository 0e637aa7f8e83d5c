package agenda

import (
	"context"
	"time"
)

// These answer other packages (docs, presentation) that already checked
// the actor's access; they check none themselves.

// MeetingOf returns the meeting an agenda item belongs to; NotFound when
// there is no such item.
func (s *Service) MeetingOf(ctx context.Context, itemID string) (string, error) {
	r, err := s.store.item(ctx, itemID)
	return r.MeetingID, err
}

// CurrentPresenter returns the user id of the current item's presenter,
// or "" when no item is current or it has no presenter.
func (s *Service) CurrentPresenter(ctx context.Context, meetingID string) (string, error) {
	r, found, err := s.store.currentItem(ctx, meetingID)
	if err != nil || !found || r.PresenterID == nil {
		return "", err
	}
	return *r.PresenterID, nil
}

// Now is the item being discussed, for the live snapshot: what every
// screen shows as "current item, time used against time planned".
type Now struct {
	ItemID          string     `json:"item_id"`
	Title           string     `json:"title"`
	PresenterID     *string    `json:"presenter_id"`
	DurationMin     int        `json:"duration_min"`
	BecameCurrentAt *time.Time `json:"became_current_at"`
	SpentSec        int        `json:"spent_sec"`     // seconds current in earlier spells: time used is spent_sec + (now − became_current_at); spent_sec alone while became_current_at is null (the meeting adjourned)
	CurrentSince    *time.Time `json:"current_since"` // when it became the current item; unlike became_current_at, a break leaves it
}

// CurrentItem returns the meeting's current item, or nil when none is.
func (s *Service) CurrentItem(ctx context.Context, meetingID string) (*Now, error) {
	r, found, err := s.store.currentItem(ctx, meetingID)
	if err != nil || !found {
		return nil, err
	}
	return &Now{ItemID: r.ID, Title: r.Title, PresenterID: r.PresenterID, DurationMin: r.DurationMin, BecameCurrentAt: r.BecameCurrentAt,
		SpentSec: r.SpentSec, CurrentSince: r.CurrentSince}, nil
}
