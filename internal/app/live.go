package app

import (
	"context"
	"encoding/json"
	"net/http"

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
// shows, as this viewer may see it.
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
