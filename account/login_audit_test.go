package account_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/curia/curia/account"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

type loginEntry struct {
	Action  string
	ActorID string `json:"actor_id"`
	Object  string
	Detail  map[string]any
}

// TestLimitedLoginsAreAboutTheUser proves that when guesses at a username
// reach the per-username limit, the refusal (login.limited, written once
// a window) is among the entries about that user (GET
// /audit?object=user:ID, the documented per-user view) with the limit
// that refused it, and not only the failed guesses before it.
func TestLimitedLoginsAreAboutTheUser(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: 2, PerClient: 100, Window: time.Minute}
	})
	admin := s.Login(adminName(s))
	id := s.CreateUser("target", "Mục tiêu", false)
	for range 4 {
		s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": "target", "password": "wrong password"})
	}
	var all struct{ Entries []loginEntry }
	admin.Get("/api/v1/audit?action=login.limited", &all)
	if len(all.Entries) != 1 {
		t.Fatalf("login.limited entries: %+v, want 1", all.Entries)
	}
	if e := all.Entries[0]; e.Object != "user:"+id || e.ActorID != "" || e.Detail["username"] != "target" || e.Detail["limit"] != "username" {
		t.Errorf("login.limited: %+v, want object user:%s, no actor, the username and the limit", e, id)
	}
	var mine struct{ Entries []loginEntry }
	admin.Get("/api/v1/audit?object=user:"+id, &mine)
	var actions []string
	for _, e := range mine.Entries {
		actions = append(actions, e.Action)
	}
	if fmt.Sprint(actions) != "[login.limited login.failed login.failed user.created]" {
		t.Errorf("GET /audit?object=user:ID of the locked-out user: %v", actions)
	}
}

// TestFailedLoginsHaveNoActor proves the convention of the entries of
// sign-in attempts that open no session: nobody is signed in, so they
// have no actor (GET /audit?actor_id=X lists what X did, not the guesses
// at X's account); their object is the account tried, user:ID, and none
// (not a malformed "user:") when no user has the username, which is in
// the detail. The limit's refusal of an unknown username likewise.
func TestFailedLoginsHaveNoActor(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) {
		c.LoginLimits = account.LoginLimits{PerUser: 1, PerClient: 100, Window: time.Minute}
	})
	admin := s.Login(adminName(s))
	id := s.CreateUser("victim", "Nạn nhân", false)
	for _, u := range []string{"victim", "nobody", "nobody"} {
		s.Anonymous().Do("POST", "/api/v1/auth/login", map[string]string{"username": u, "password": "wrong password"})
	}
	var byVictim struct{ Entries []loginEntry }
	admin.Get("/api/v1/audit?actor_id="+id, &byVictim)
	if len(byVictim.Entries) != 0 {
		t.Errorf("the victim is the actor of %+v", byVictim.Entries)
	}
	want := map[string]string{"login.failed victim": "user:" + id, "login.failed nobody": "", "login.limited nobody": ""}
	for _, action := range []string{"login.failed", "login.limited"} {
		var out struct{ Entries []loginEntry }
		admin.Get("/api/v1/audit?action="+action, &out)
		for _, e := range out.Entries {
			k := fmt.Sprint(e.Action, " ", e.Detail["username"])
			object, ok := want[k]
			if !ok || e.Object != object || e.ActorID != "" {
				t.Errorf("%+v, want object %q and no actor", e, object)
			}
			delete(want, k)
		}
	}
	if len(want) > 0 {
		t.Errorf("no entries for %v", want)
	}
}
