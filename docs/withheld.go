package docs

import (
	"context"

	"github.com/curia/curia/internal/web"
)

// Withheld counts the confidential documents of a meeting that the actor
// may not read (those List leaves out), by the agenda item they are filed
// under ("" for none). It tells how many there are and nothing else about
// them: the meeting's minutes say "1 confidential document not shown"
// where a reader who may see it gets its title. A meeting the actor may
// not see is NotFound, as for List.
func (s *Service) Withheld(ctx context.Context, a web.Actor, meetingID string) (map[string]int, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.documents(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	var confidential []string
	for _, d := range rows {
		if d.Confidential {
			confidential = append(confidential, d.ID)
		}
	}
	readers, err := s.store.readers(ctx, confidential)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, d := range rows {
		if visible(acc, d, readers[d.ID]) {
			continue
		}
		item := ""
		if d.AgendaItemID != nil {
			item = *d.AgendaItemID
		}
		out[item]++
	}
	return out, nil
}
