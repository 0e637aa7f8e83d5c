package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
)

// An HTTPS deployment (CURIA_COOKIE_SECURE=true) behind a proxy that ends
// TLS: a page on http://HOST is another origin than the app on
// https://HOST, and anyone on the meeting room's Wi-Fi can answer a
// tablet's plain-HTTP request to the host. (Found in a red-team read,
// /work/notes/review4-redteam.md.)

// httpsDeployment is Curia as the README deploys it over HTTPS: TLS ends
// at the proxy in front (nginx), Curia itself answers plain HTTP, and
// CURIA_COOKIE_SECURE=true says the app is served over https.
func httpsDeployment(c *app.Config) { c.SecureCookie = true }

// hostOf is the server's host:port, as a browser names it in Host.
func hostOf(s *apptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

// The live hub refuses a page on http://HOST of an HTTPS deployment (its
// own origin is https://HOST there, whatever the browser's Origin says),
// and any page the browser calls cross-site or same-site (Sec-Fetch-Site),
// as the REST API does: otherwise such a page would get a delegate's live
// stream (confidential documents' events, shared annotations, polls) with
// the session cookie. The app's own page is still let in.
func TestLiveRefusesPlainHTTPOriginOfAnHTTPSDeployment(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], httpsDeployment)
	c := s.NewCast("rto")
	m := c.Meeting("Scheme")
	cookie := "curia_session=" + c.Delegate.Token
	anon := s.Anonymous()
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"Origin http:// of the app's host", []string{"Origin", "http://" + hostOf(s)}},
		{"own host but the browser says cross-site", []string{"Origin", "http://" + hostOf(s), "Sec-Fetch-Site", "cross-site"}},
		{"own host but the browser says same-site", []string{"Origin", "http://" + hostOf(s), "Sec-Fetch-Site", "same-site"}},
	} {
		lc, status, err := anon.DialLive(m, "", append([]string{"Cookie", cookie}, tc.headers...)...)
		if err == nil {
			lc.Conn.Close()
			t.Errorf("%s: the live stream was opened with the session cookie; want 403", tc.name)
		} else if status != http.StatusForbidden {
			t.Errorf("%s: %d %v, want 403", tc.name, status, err)
		}
	}
	// What the REST API does with the second request, for comparison.
	res := anon.Do("POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "present"},
		"Cookie", cookie, "Origin", "http://"+hostOf(s), "Sec-Fetch-Site", "cross-site")
	if res.Status != http.StatusForbidden {
		t.Fatalf("REST with Sec-Fetch-Site cross-site: %d, the comparison no longer holds", res.Status)
	}
	// The app's own page, as a browser that says so and one that does not.
	for _, headers := range [][]string{
		{"Origin", "https://" + hostOf(s), "Sec-Fetch-Site", "same-origin"},
		{"Origin", "https://" + hostOf(s)},
	} {
		lc, status, err := anon.DialLive(m, "", append([]string{"Cookie", cookie}, headers...)...)
		if err != nil {
			t.Errorf("the app's own page %v: %d %v, want the live stream", headers, status, err)
			continue
		}
		lc.Conn.Close()
	}
}

// Served over HTTPS, every answer carries Strict-Transport-Security, so
// that a tablet never again asks http:// of the host (which anyone on the
// room's Wi-Fi could answer); net/http's cross-origin check names HSTS as
// its mitigation for an Origin of http://HOST without Sec-Fetch-Site.
func TestHSTSWhenServedOverHTTPS(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], httpsDeployment)
	id := s.CreateUser("rt.hsts", "HSTS", false)
	cl := s.SignIn(id)
	for _, tc := range []struct {
		name string
		c    *apptest.Client
		path string
	}{
		{"web app", s.Anonymous(), "/"},
		{"sign-in screen", s.Anonymous(), "/login"},
		{"API", cl, "/api/v1/me"},
	} {
		res := tc.c.Do("GET", tc.path, nil)
		if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
			t.Errorf("%s: Strict-Transport-Security %q on an HTTPS deployment", tc.name, hsts)
		}
	}
}

// The REST API refuses an unsafe cookie request from Origin http://HOST
// on an HTTPS deployment even when the browser sends no Sec-Fetch-Site
// (Safari before 16.4, kept by iPads that stop at iPadOS 15), where
// net/http's check compares only the host: here a bodyless POST, what a
// plain HTML form can send without a CORS preflight, would open a poll
// with the chair's cookie. From https://HOST it goes through.
func TestRESTRefusesPlainHTTPOriginOfAnHTTPSDeployment(t *testing.T) {
	s := apptest.Start(t, testdb.Backends()[0], httpsDeployment)
	c := s.NewCast("rtr")
	m := c.Meeting("Scheme REST")
	c.SetStatus(m, "scheduled", "live")
	var poll struct{ ID string }
	c.Chair.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Forged"}).JSON(&poll)
	res := s.Anonymous().Raw("POST", "/api/v1/polls/"+poll.ID+"/open", "", nil,
		"Cookie", "curia_session="+c.Chair.Token, "Origin", "http://"+hostOf(s))
	if res.Status != http.StatusForbidden {
		t.Fatalf("cookie POST /polls/{id}/open from Origin http://%s on an HTTPS deployment: %d %s, want 403",
			hostOf(s), res.Status, res.Body)
	}
	res = s.Anonymous().Raw("POST", "/api/v1/polls/"+poll.ID+"/open", "", nil,
		"Cookie", "curia_session="+c.Chair.Token, "Origin", "https://"+hostOf(s))
	if res.Status != http.StatusOK {
		t.Errorf("cookie POST /polls/{id}/open from the app's own origin https://%s: %d %s, want 200", hostOf(s), res.Status, res.Body)
	}
}
