package docs

import (
	"context"
	"encoding/json"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// PointerEvent is the type to broadcast Pointer's payload as.
const PointerEvent = "pointer"

// ShownFunc tells which document version and page a meeting shows to a
// user: document id "" when nothing is shown, or when it is hidden from
// them (presentation.Service.ForViewer).
type ShownFunc func(ctx context.Context, meetingID, userID string) (docID string, version, page int, err error)

// Pointer kinds: a laser dot that follows the presenter's finger, a
// temporary stroke (sent in pieces while drawing, joined by its id),
// and clearing the temporary strokes; "hide" puts the laser away.
const (
	pointerLaser  = "laser"
	pointerStroke = "stroke"
	pointerClear  = "clear"
	pointerHide   = "hide"
)

// maxPointerBytes and maxPointerPoints keep one pointer message small:
// it reaches every tablet in the room.
const (
	maxPointerBytes  = 16 << 10
	maxPointerPoints = 500
)

// pointerInput is what the presenter's tablet sends.
type pointerInput struct {
	DocumentID string      `json:"document_id"`
	Page       int         `json:"page"`
	Kind       string      `json:"kind"`
	X          float64     `json:"x"`
	Y          float64     `json:"y"`
	Stroke     string      `json:"stroke"` // a stroke's id, for its pieces
	Points     [][]float64 `json:"points"`
	Colour     string      `json:"colour"`
	Width      float64     `json:"width"`
}

// PointerMove is what followers receive. Coordinates are those of
// annotations (points from the top-left of the displayed page).
type PointerMove struct {
	DocumentID string      `json:"document_id"`
	Version    int         `json:"version"`
	Page       int         `json:"page"`
	By         string      `json:"by"`
	Kind       string      `json:"kind"`
	X          *float64    `json:"x,omitempty"`
	Y          *float64    `json:"y,omitempty"`
	Stroke     string      `json:"stroke,omitempty"`
	Points     [][]float64 `json:"points,omitempty"`
	Colour     string      `json:"colour,omitempty"`
	Width      float64     `json:"width,omitempty"`
}

// Pointer checks a presenter's pointer or temporary stroke on the
// presented page and returns what to broadcast (as PointerEvent, never
// stored) and to whom: nil for everyone in the meeting, or those who may
// see a confidential document. Only the chair (or an administrator) and
// the presenter of the current agenda item may point, as only they may
// turn the page (a presenter made an observer may not: observers do not
// speak), and anyone else is Forbidden before anything about the page is
// looked at; the message must name the presented document and page
// (Conflict otherwise: the page has just changed), and one who may not
// see that document (a presenter outside a confidential document's
// readers, to whom it is shown hidden) is Forbidden; coordinates must lie
// on the page, checked against that page's own size. The live hub calls
// it for each message, so it reads a handful of rows and writes none.
func (s *Service) Pointer(ctx context.Context, a web.Actor, meetingID string, data json.RawMessage) (any, []string, error) {
	if len(data) > maxPointerBytes {
		return nil, nil, apperr.New(apperr.TooLarge, "a pointer message is at most %d bytes", maxPointerBytes)
	}
	var in pointerInput
	if err := decodeStrict(data, &in, "a pointer message"); err != nil {
		return nil, nil, err
	}
	if s.shown == nil {
		return nil, nil, apperr.New(apperr.Unavailable, "the pointer is not available")
	}
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return nil, nil, err
	}
	if err := acc.Writable(); err != nil {
		return nil, nil, err
	}
	if !acc.IsChair() && !acc.IsAdmin {
		presenter, err := s.agenda.CurrentPresenter(ctx, meetingID)
		if err != nil {
			return nil, nil, err
		}
		if presenter == "" || presenter != a.UserID {
			return nil, nil, apperr.Forbiddenf("only the chair or the presenter of the current agenda item can point for everyone")
		}
		if !acc.CanSpeak() { // an observer sees, but does not speak: pointing for the room is presenting
			return nil, nil, apperr.Forbiddenf("an observer cannot present: only the chair or a presenter with a right to speak can point for everyone")
		}
	}
	docID, version, page, err := s.shown(ctx, meetingID, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	if docID == "" || in.DocumentID != docID || in.Page != page {
		return nil, nil, apperr.Conflictf("point at the presented page: it has changed")
	}
	doc, err := s.store.document(ctx, docID)
	if err != nil {
		return nil, nil, err
	}
	d, _, readers, err := s.docSeenBy(ctx, acc, doc)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.store.version(ctx, docID, version)
	if err != nil {
		return nil, nil, err
	}
	move, err := in.move(versionBounds(v).page(page))
	if err != nil {
		return nil, nil, err
	}
	move.DocumentID, move.Version, move.Page, move.By = docID, version, page, a.UserID
	return move, s.audience(ctx, d, readers), nil
}

func (in pointerInput) move(b bounds) (PointerMove, error) {
	m := PointerMove{Kind: in.Kind}
	switch in.Kind {
	case pointerLaser:
		if !b.point(in.X, in.Y) {
			return m, apperr.Invalidf("(%g, %g) is outside the page", in.X, in.Y)
		}
		x, y := round(in.X), round(in.Y)
		m.X, m.Y = &x, &y
	case pointerStroke:
		if !annotationID.MatchString(in.Stroke) {
			return m, apperr.Invalidf("stroke: name the stroke with 1 to 64 of A-Z a-z 0-9 _ -")
		}
		if len(in.Points) == 0 || len(in.Points) > maxPointerPoints {
			return m, apperr.Invalidf("points: give 1 to %d points", maxPointerPoints)
		}
		for i, p := range in.Points {
			if err := cleanPoint(p, b); err != nil {
				return m, apperr.Invalidf("points[%d]: %s", i, apperr.Public(err))
			}
		}
		if err := checkColour(&in.Colour, defaultInk); err != nil {
			return m, err
		}
		if in.Width == 0 {
			in.Width = defaultWidth * 2
		}
		if in.Width < 0.1 || in.Width > 50 {
			return m, apperr.Invalidf("width must be from 0.1 to 50 points")
		}
		m.Stroke, m.Points, m.Colour, m.Width = in.Stroke, in.Points, in.Colour, in.Width
	case pointerClear, pointerHide:
	default:
		return m, apperr.Invalidf("kind must be laser, stroke, clear or hide")
	}
	return m, nil
}
