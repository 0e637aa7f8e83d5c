package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

// Text no database can store (NUL, bytes that are not UTF-8) is refused at
// the door, in the path, the query and a JSON body, before any handler.
func TestUnstorableText(t *testing.T) {
	var logs bytes.Buffer
	e := newServer(&logs)
	reached := 0
	e.GET("/things/:id", func(c echo.Context) error {
		reached++
		return c.String(200, c.Param("id")+"|"+c.QueryParam("q"))
	})
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"plain id", "GET", "/things/abc?q=x", "", 200},
		{"Vietnamese in the query", "GET", "/things/abc?q=H%E1%BB%8Dp", "", 200},
		{"NUL in the path", "GET", "/things/a%00b", "", http.StatusNotFound},
		{"not UTF-8 in the path", "GET", "/things/%FF", "", http.StatusNotFound},
		{"NUL in the query", "GET", "/things/abc?q=a%00", "", http.StatusBadRequest},
		{"not UTF-8 in the query", "GET", "/things/abc?q=%C3", "", http.StatusBadRequest},
		{"NUL in a query name", "GET", "/things/abc?a%00=1", "", http.StatusBadRequest},
		{"NUL in a body string", "POST", "/echo", `{"name":"a\u0000b"}`, http.StatusBadRequest},
		{"NUL after an escaped backslash", "POST", "/echo", `{"name":"a\\\u0000"}`, http.StatusBadRequest},
		{"a literal backslash-u-0000 in a note", "POST", "/echo", `{"name":"type \\u0000 here"}`, 200},
		{"other escapes", "POST", "/echo", `{"name":"\u0001\u00e0"}`, 200},
	}
	for _, tc := range cases {
		before := reached
		rec := do(e, tc.method, tc.path, tc.body)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.want, rec.Body)
			continue
		}
		if tc.want >= 400 {
			if tc.method == "GET" && reached != before {
				t.Errorf("%s: the handler ran", tc.name)
			}
			var body web.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
				t.Errorf("%s: no error message: %s", tc.name, rec.Body)
			}
		}
	}
	if rec := do(e, "POST", "/echo", `{"name":"type \\u0000 here"}`); rec.Code == 200 && !bytes.Contains(rec.Body.Bytes(), []byte(`type \\u0000 here`)) {
		t.Errorf("the literal text was changed: %s", rec.Body)
	}
}

func TestStorable(t *testing.T) {
	for s, want := range map[string]bool{"": true, "Nguyễn Văn An": true, "a\x00b": false, "\xff": false, "tab\tok": true} {
		if got := web.Storable(s); got != want {
			t.Errorf("Storable(%q) = %v, want %v", s, got, want)
		}
	}
}
