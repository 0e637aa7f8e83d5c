package account

import (
	"context"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// PasswordChange is the input of ChangePassword.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ChangePassword sets the signed-in user's own password. The current
// password must be given, so that a session left open on a shared tablet
// is not enough to take the account over: a wrong one is Forbidden. The
// attempts are limited as sign-ins are, with the same limits, but in a
// window of the user's own (by id, loginLimiter.allowChange) and the
// client address's: strangers filling the username's sign-in window with
// wrong guesses do not keep the signed-in user from changing their
// password, and a session (perhaps stolen) cannot be used to guess. A
// wrong current password also counts in the username's sign-in window
// (loginLimiter.changeFailed says why), though that window refuses no
// change. The new password
// follows the rules of every password (ValidatePassword). The change ends
// the user's other sessions, and closes their live connections, in the
// transaction that sets the password; the session that asks stays. It is
// audited as user.updated with {"password": "changed"}; a wrong current
// password as login.failed with "via": "password_change". Nothing is
// written for a request refused before the current password is checked.
func (s *Service) ChangePassword(ctx context.Context, actor web.Actor, in PasswordChange, cl Client) error {
	if in.CurrentPassword == "" || in.NewPassword == "" {
		return apperr.Invalidf("current_password and new_password are required")
	}
	if err := ValidatePassword("new_password", in.NewPassword); err != nil {
		return err
	}
	if in.NewPassword == in.CurrentPassword {
		return apperr.Invalidf("new_password: the same as the current password; choose another")
	}
	if len(in.CurrentPassword) > 256 { // no password is that long: wrong, without hashing it
		return errWrongCurrentPassword()
	}
	username := actor.Username // as stored: normalised, the key a sign-in counts against
	counted, wait, ok, first, limit := s.limiter.allowChange(actor.UserID, username, cl.IP)
	if !ok {
		if first {
			s.auditLogin(ctx, "login.limited", actor.UserID,
				map[string]any{"username": username, "limit": limit, "via": "password_change"}, cl)
		}
		return &apperr.Error{Kind: apperr.RateLimited, RetryAfter: wait,
			Message: "too many attempts with a wrong password; try again later"}
	}
	tried := false // as in Login: an attempt that checked no password is given back
	defer func() { s.limiter.settleAttempt(counted, tried) }()
	u, err := s.store.userByID(ctx, actor.UserID)
	if apperr.Is(err, apperr.NotFound) || err == nil && u.Disabled {
		return errSessionEnded()
	}
	if err != nil {
		return err
	}
	right, err := s.check(ctx, in.CurrentPassword, u.PasswordHash)
	if err != nil {
		return err
	}
	tried = true
	if !right {
		s.limiter.changeFailed(username)
		s.auditLogin(ctx, "login.failed", u.ID, map[string]any{"username": username, "via": "password_change"}, cl)
		return errWrongCurrentPassword()
	}
	// Forgives the user's earlier wrong current passwords in the change
	// window only: those in the username's sign-in window may be a
	// stranger's (as a known device's sign-in, session.go).
	s.limiter.changeSucceeded(u.ID)
	hash, err := s.hash(ctx, in.NewPassword)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	e := audit.Entry{At: now, ActorID: u.ID, Action: "user.updated", Object: "user:" + u.ID,
		Detail: map[string]any{"password": "changed"}, ClientIP: cl.IP}
	ended, err := s.store.changePassword(ctx, u.ID, u.PasswordHash, hash, actor.SessionID, now, e)
	s.cache.dropUser(u.ID) // this node forgets the ended sessions at once
	if err != nil {
		return err
	}
	if actor.SessionID == "" {
		s.cfg.SessionsChanged(ctx, u.ID, "")
	} else {
		s.otherSessionsEnded(ctx, u.ID, ended)
	}
	return nil
}

func errWrongCurrentPassword() error {
	return apperr.Forbiddenf("the current password is wrong")
}

// maxSessionKicks bounds the disconnects sent one session at a time when a
// user's other sessions end; past it, one disconnect of the whole user
// closes them all (the connections of the session that stays reconnect,
// and are let in again).
const maxSessionKicks = 16

// otherSessionsEnded closes, on every node, the live connections of the
// sessions ended (and has every node forget them), leaving those of the
// session that stays open.
func (s *Service) otherSessionsEnded(ctx context.Context, userID string, ended []string) {
	if len(ended) > maxSessionKicks {
		s.cfg.SessionsChanged(ctx, userID, "")
		return
	}
	for _, id := range ended {
		s.cfg.SessionsChanged(ctx, userID, id)
	}
}
