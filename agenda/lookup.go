package agenda

import "context"

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
