package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
)

// Password hashes take turns: with every slot taken, a sign-in waits (it
// does not compute a 19 MiB hash beside the others), and one that gives up
// waiting is a 503 with Retry-After, not a 500; once a slot is free it
// goes through. Creating a user and resetting a password take turns too.
func TestPasswordHashesTakeTurns(t *testing.T) {
	db := testdb.Backends()[0].Open(t, Migration(), audit.Migration())
	s, err := NewService(db, Config{Hash: FastHashParams(), HashConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = s.CreateUser(ctx, nil, NewUser{Username: "ana", Password: "long enough secret", FullName: "Ana"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if cap(s.hashSlots) != 2 {
		t.Fatalf("%d slots, want 2", cap(s.hashSlots))
	}
	s.hashSlots <- struct{}{} // two hashes under way elsewhere
	s.hashSlots <- struct{}{}
	busy := func(what string, err error) {
		t.Helper()
		var ae *apperr.Error
		if !apperr.Is(err, apperr.Unavailable) || !errors.As(err, &ae) || ae.RetryAfter <= 0 {
			t.Errorf("%s with every slot taken: %v, want unavailable with a Retry-After", what, err)
		}
	}
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	_, err = s.Login(short(), Credentials{Username: "ana", Password: "long enough secret"}, Client{IP: "192.0.2.1"})
	busy("a sign-in", err)
	// A sign-in that tried no password uses up none of the user's tries:
	// five more refused for want of a slot leave all five (PerUser).
	for range 5 {
		_, err = s.Login(short(), Credentials{Username: "ana", Password: "a wrong guess"}, Client{IP: "192.0.2.2"})
		busy("a sign-in", err)
	}
	if u := s.limiter.users["ana"]; u != nil && u.n != 0 {
		t.Errorf("%d of the user's tries used up by sign-ins the server could not check", u.n)
	}
	_, err = s.CreateUser(short(), nil, NewUser{Username: "bao", Password: "long enough secret", FullName: "Bao"}, "")
	busy("creating a user", err)

	done := make(chan error, 1)
	go func() {
		_, err := s.Login(ctx, Credentials{Username: "ana", Password: "long enough secret"}, Client{IP: "192.0.2.1"})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a sign-in finished while every slot was taken: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	<-s.hashSlots // one of the others finishes
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the waiting sign-in: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting sign-in did not go through once a slot was free")
	}
	if len(s.hashSlots) != 1 {
		t.Errorf("%d slots taken after the sign-in, want the one still held", len(s.hashSlots))
	}
}
