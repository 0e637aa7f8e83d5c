package account

import (
	"context"
	"encoding/base64"
	"time"
)

// Device tokens ("device cookies") keep a user who has signed in on a
// device before from being locked out by guesses at their username made
// elsewhere. A successful sign-in hands the client a long-lived random
// token (the curia_device cookie; only its hash is stored, as for a
// session). A later sign-in that carries a token of the username it tries
// is counted in that token's own window (LoginLimits.PerUser attempts),
// not in the username's window that everyone else shares, so a stranger
// who uses up the username's window does not refuse it. A token whose
// window fills with failures is dropped: its holder is an unknown device
// again. Every attempt still counts against the client address.
//
// A token that is malformed, unknown, stale, or of another user counts
// as no token at all: the answer and the work done are those of a sign-in
// without one, so neither tells whether a token, or a username, is valid.
// Resetting or changing the user's password, or disabling the user,
// forgets their tokens (store.forgetDevices).

// DeviceCookieName is the cookie that carries the device token.
const DeviceCookieName = "curia_device"

// DeviceTTL is how long a device token lasts after the last sign-in with
// it (the cookie's Max-Age is set anew at each).
const DeviceTTL = 365 * 24 * time.Hour

// maxDevices is how many devices a user keeps; a sign-in from one more
// forgets the one least recently used.
const maxDevices = 5

// deviceTokenLen is the length of a token made by ids.Secret: 32 bytes,
// base64url without padding.
const deviceTokenLen = 43

// wellFormedDevice reports whether token has the form of a device token,
// so that nothing else is looked up.
func wellFormedDevice(token string) bool {
	if len(token) != deviceTokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

// deviceID is the id of the device token token (its hash), or "" when
// token does not have the form of one. It looks nothing up: the id may
// be of no device at all.
func deviceID(token string) string {
	if !wellFormedDevice(token) {
		return ""
	}
	return tokenHash(token)
}

// deviceOf returns the id of the device token token when it belongs to
// username, is in use and not stale; otherwise "" (the attempt is one of
// an unknown device). It never fails: a token it cannot check is treated
// as none.
func (s *Service) deviceOf(ctx context.Context, username, token string) string {
	id := deviceID(token)
	if id == "" {
		return ""
	}
	owner, disabled, lastUsed, found, err := s.store.deviceUser(ctx, id)
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "look up a device token", "err", err)
		return ""
	}
	if !found || owner != username || disabled || s.cfg.Now().Sub(lastUsed) >= DeviceTTL {
		return ""
	}
	return id
}

// dropSpentDevice forgets the device id after a failed attempt once its
// window is full: the next attempt with its token is one of an unknown
// device.
func (s *Service) dropSpentDevice(ctx context.Context, id, username string, cl Client) {
	if !s.limiter.deviceSpent(id) {
		return
	}
	if err := s.store.deleteDevice(ctx, id); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "drop a device token", "err", err)
		return
	}
	s.cfg.Logger.InfoContext(ctx, "device token dropped after failed sign-ins", "username", username, "client_ip", cl.IP)
}
