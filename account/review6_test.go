package account_test

import (
	"net/http"
	"testing"
)

// Someone holding a session of the user (a tablet left signed in, a
// stolen cookie) guesses at the user's password through both doors within
// one window: first PerUser wrong sign-ins at the form, which fill the
// username's window, then wrong current passwords at POST /auth/password.
// changeFailed counts the change's wrong guesses in the username's window
// "rather than coming on top of them", but the sign-ins' wrong guesses are
// not seen by the change window: every one of the PerUser changes is
// still checked (403), so the session doubles the guesses a window allows
// (2 × PerUser instead of PerUser). Done the other way round (changes
// first) the sign-ins are refused, so the bound depends only on the order.
// Once the username's window is full, a change should check at most two
// more passwords (enough for the real user, who knows it and may mistype
// it once).
// go test -count=1 -run 'TestReview6' ./account/
func TestReview6SessionDoublesTheGuessesAfterSignIns(t *testing.T) {
	const perUser = 5
	s := deviceServer(t, perUser, 100)
	s.CreateUser("member", "Thành viên", false)
	stolen := s.Login("member")

	lockOut(t, s, "member", perUser) // perUser wrong sign-ins from strangerIP, each checked (401)
	checked := 0
	for range perUser {
		res := changeOwnPassword(stolen, "another wrong guess", "a fresh new password", strangerIP)
		switch res.Status {
		case http.StatusForbidden: // the guess was checked against the hash
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("a wrong current password: %d %s", res.Status, res.Body)
		}
	}
	if checked > 2 {
		t.Errorf("after %d wrong sign-ins filled the username's window, the session had %d more guesses checked "+
			"(%d in one window); want at most 2 more", perUser, checked, perUser+checked)
	}
}
