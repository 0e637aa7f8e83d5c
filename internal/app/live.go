package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/curia/curia/account"
	"github.com/curia/curia/agenda"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/presentation"
	"github.com/curia/curia/realtime"
	"github.com/curia/curia/vote"
)

// adminRole marks a viewer who is an administrator but not a participant.
const adminRole = "admin"

// liveAuth lets a participant (or an admin) open a meeting's live
// connection, authenticated by the session cookie or a Bearer token, and
// keeps that session in use while the connection is open; the connection
// closes when the session ends (expired, or found ended by CheckSessions).
type liveAuth struct {
	app *App
}

// Authorize implements realtime.Authorizer.
func (l liveAuth) Authorize(r *http.Request, meetingID string) (realtime.Viewer, error) {
	token, _ := account.TokenFrom(r)
	if token == "" {
		return realtime.Viewer{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	a, expires, err := l.app.Accounts.AuthenticateUntil(r.Context(), token)
	if err != nil {
		return realtime.Viewer{}, err
	}
	acc, err := l.app.Meetings.Access(r.Context(), a, meetingID)
	if err != nil {
		return realtime.Viewer{}, err
	}
	role := string(acc.Role)
	if role == "" {
		role = adminRole
	}
	return realtime.Viewer{UserID: a.UserID, Name: a.FullName, Role: role, IsAdmin: a.IsAdmin,
		CanManage: acc.CanManage(), Session: a.SessionID, SessionExpires: expires}, nil
}

// CheckSessions implements realtime.SessionChecker: a live connection is
// use of its session (a tablet following a meeting for hours makes no
// request, and must not be signed out by the idle timeout), and the
// connections of a session that ended meanwhile close.
func (l liveAuth) CheckSessions(ctx context.Context, sessions []string) ([]string, error) {
	return l.app.Accounts.KeepAlive(ctx, sessions)
}

// actorOf rebuilds the actor of a viewer for the services' own checks: the
// session's actor as REST sees it, so an administrator who takes part in
// the meeting keeps their administrator's rights on the live connection.
func actorOf(v realtime.Viewer) web.Actor {
	return web.Actor{UserID: v.UserID, FullName: v.Name, IsAdmin: v.IsAdmin, SessionID: v.Session}
}

// liveState is the snapshot a tablet gets on connecting: everything it
// shows, as this viewer may see it. Speakers are the current item's
// queues (nil when no item is current); the floor is only ever on the
// current item (agenda's StartSpeaker, SetCurrent and CloseHook keep it
// there), so their Active is whoever has the floor.
type liveState struct {
	Meeting      meeting.Meeting    `json:"meeting"`
	Quorum       meeting.Quorum     `json:"quorum"`
	CurrentItem  *agenda.Now        `json:"current_item"`
	Speakers     *agenda.Queues     `json:"speakers"`
	Presentation presentation.State `json:"presentation"`
	Polls        []vote.Poll        `json:"polls"` // the open polls, as this viewer may see them
}

// liveSnapshot composes the live state from the services.
type liveSnapshot struct {
	app *App
}

// Snapshot implements realtime.Snapshotter.
func (l liveSnapshot) Snapshot(ctx context.Context, v realtime.Viewer, meetingID string) (any, error) {
	a, actor := l.app, actorOf(v)
	var st liveState
	var err error
	if st.Meeting, err = a.Meetings.Get(ctx, actor, meetingID); err != nil {
		return nil, err
	}
	if st.Quorum, err = a.Meetings.Quorum(ctx, actor, meetingID); err != nil {
		return nil, err
	}
	if st.CurrentItem, err = a.Agenda.CurrentItem(ctx, meetingID); err != nil {
		return nil, err
	}
	if st.CurrentItem != nil {
		q, err := a.Agenda.Speakers(ctx, actor, st.CurrentItem.ItemID)
		if err != nil {
			return nil, err
		}
		st.Speakers = &q
	}
	if st.Presentation, err = a.Present.ForViewer(ctx, meetingID, v.UserID); err != nil {
		return nil, err
	}
	if st.Polls, err = a.Votes.OpenPolls(ctx, actor, meetingID); err != nil {
		return nil, err
	}
	return st, nil
}

// CheckReplay implements realtime.ReplayChecker: a resume replays stored
// events as they were addressed when published, so before it does, the
// viewer's access now must still cover them (api/live.md §5). Events
// that show a document (document.added and .updated, annotations,
// presentation.changed with a document) need the document to be one the
// viewer may see now, as GET /meetings/{id}/documents lists them; events
// that went to the chair and the secretary only (draft polls, who has
// not voted) need the viewer to hold one of those roles now. Removals
// (document.removed, annotation.deleted) name ids only and always pass;
// a restricted event of a type not known here fails safe. false makes
// the hub answer with resync and a full snapshot, built from the
// viewer's access now.
func (l liveSnapshot) CheckReplay(ctx context.Context, v realtime.Viewer, meetingID string, events []realtime.Replayed) (bool, error) {
	docIDs := map[string]bool{}
	for _, e := range events {
		var ref struct {
			ID         string  `json:"id"`
			DocumentID *string `json:"document_id"`
		}
		switch e.Type {
		case "document.added", "document.updated", "annotations.created", "annotation.updated", "presentation.changed":
			if err := json.Unmarshal(e.Data, &ref); err != nil {
				return false, apperr.Internalf(err, "read replayed %s", e.Type)
			}
			id := ref.ID
			if e.Type != "document.added" && e.Type != "document.updated" {
				id = ""
				if ref.DocumentID != nil {
					id = *ref.DocumentID
				}
			}
			if id != "" {
				docIDs[id] = true
			} else if e.Type != "presentation.changed" { // only a stopped or hidden presentation names none
				return false, nil
			}
		case "document.removed", "annotation.deleted":
		default:
			if !e.Restricted {
				continue
			}
			if strings.HasPrefix(e.Type, "poll.") && (v.Role == string(meeting.Chair) || v.Role == string(meeting.Secretary)) {
				continue
			}
			return false, nil
		}
	}
	if len(docIDs) == 0 {
		return true, nil
	}
	list, err := l.app.Docs.List(ctx, actorOf(v), meetingID)
	if err != nil {
		return false, err
	}
	for _, d := range list {
		delete(docIDs, d.ID)
	}
	return len(docIDs) == 0, nil
}

// pointer relays the presenter's laser and temporary strokes to the room
// (never stored): docs checks it, the hub broadcasts it.
func (a *App) pointer(ctx context.Context, v realtime.Viewer, meetingID string, data json.RawMessage) error {
	payload, audience, err := a.Docs.Pointer(ctx, actorOf(v), meetingID, data)
	if err != nil {
		return err
	}
	return a.Hub.Broadcast(ctx, meetingID, docs.PointerEvent, payload, audience)
}

// Gatherer exposes the app's metrics (the live hub's among them) to
// in-process readers such as the load bench.
func (a *App) Gatherer() prometheus.Gatherer { return a.registry }
