package realtime

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

func TestAuthorize(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		auth := newFakeAuth()
		auth.add("m1", "alice", "delegate")
		auth.add("m2", "bob", "delegate")
		n := startNode(t, openDB(t, b), auth, nil)

		tests := []struct {
			name   string
			user   string
			header http.Header
			status int
			code   string
		}{
			{name: "participant", user: "alice", status: http.StatusSwitchingProtocols},
			{name: "outsider", user: "bob", status: http.StatusNotFound, code: "not_found"},
			{name: "unauthenticated", status: http.StatusUnauthorized, code: "unauthenticated"},
			{name: "same origin", user: "alice", header: origin("https://curia.example"), status: 101},
			{name: "same origin over http", user: "alice", header: origin("http://curia.example"), status: 101},
			{name: "allowed origin", user: "alice", header: origin("https://allowed.example"), status: 101},
			{name: "foreign origin", user: "alice", header: origin("https://evil.example"), status: 403, code: "forbidden"},
			{name: "lookalike prefix", user: "alice", header: origin("https://evil-curia.example"), status: 403, code: "forbidden"},
			{name: "lookalike suffix", user: "alice", header: origin("https://curia.example.evil.com"), status: 403, code: "forbidden"},
			{name: "null origin", user: "alice", header: origin("null"), status: 403, code: "forbidden"},
			{name: "other port", user: "alice", header: origin("https://curia.example:8443"), status: 403, code: "forbidden"},
			{name: "userinfo", user: "alice", header: origin("https://curia.example@evil.com"), status: 403, code: "forbidden"},
			{name: "foreign origin unauthenticated", header: origin("https://evil.example"), status: 403, code: "forbidden"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := http.Header{"Host": {"curia.example"}}
				for k, v := range tt.header {
					h[k] = v
				}
				if tt.user != "" {
					h.Set("X-User", tt.user)
				}
				ws, resp, err := dialRaw(n, "m1", "", h)
				if resp == nil {
					t.Fatalf("no response: %v", err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
				if ws != nil {
					defer ws.Close()
					c := &client{t: t, ws: ws}
					decodeSnap(t, c.next())
					return
				}
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
					t.Fatalf("error body: %v", err)
				}
				if body.Error.Code != tt.code || body.Error.Message == "" {
					t.Fatalf("error %+v, want code %s", body.Error, tt.code)
				}
			})
		}
	})
}

func origin(o string) http.Header { return http.Header{"Origin": {o}} }

func TestCheckOriginTLS(t *testing.T) {
	h := &Hub{opt: Options{AllowedOrigins: []string{"https://app.curia.example"}}}
	tests := []struct {
		origin string
		tls    bool
		ok     bool
	}{
		{"https://curia.example", true, true},
		{"http://curia.example", true, false}, // a plain-http page may not read a TLS stream
		{"HTTPS://CURIA.EXAMPLE:443", true, true},
		{"https://app.curia.example", true, true},
		{"https://app.curia.example.", true, false},
		{"ftp://curia.example", false, false},
		{"https://curia.example/path", false, false},
		{"", false, true},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "https://curia.example/api/v1/meetings/m/live", nil)
		if !tt.tls {
			r.TLS = nil
		}
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if got := h.checkOrigin(r); got != tt.ok {
			t.Errorf("origin %q tls=%v: got %v, want %v", tt.origin, tt.tls, got, tt.ok)
		}
	}
}

func TestBadSince(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, nil)
	_, resp, err := dialRaw(n, "m1", "since=abc", http.Header{"X-User": {"alice"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("since=abc: want 400, got %v", resp)
	}
	resp.Body.Close()
}

// TestEchoHandler: the endpoint mounted on Curia's Echo server upgrades
// through Echo's response writer and leaves refusals to its error handler.
func TestEchoHandler(t *testing.T) {
	auth := newFakeAuth()
	auth.add("m1", "alice", "delegate")
	n := startNode(t, openDB(t, testdb.Backends()[0]), auth, nil)
	e := web.New(web.Options{Logger: discard()})
	e.GET("/api/v1/meetings/:id/live", n.hub.EchoHandler("id"))
	srv := httptest.NewServer(e)
	defer srv.Close()
	n.srv.Close()
	n.srv = srv // dial the Echo server from here on

	c := dial(t, n, "m1", "alice", "")
	decodeSnap(t, c.next())
	_, resp, err := dialRaw(n, "m1", "", http.Header{"X-User": {"bob"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider through Echo: %v, %v", resp, err)
	}
	var body web.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code != "not_found" {
		t.Fatalf("error body %+v, %v", body, err)
	}
	resp.Body.Close()
}
