package docs_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/web"
)

// goInternals are words of encoding/json's own errors that must not reach
// a client: Go types and struct names.
var goInternals = []string{"Go ", "struct", "inkData", "noteData", "highlightData", "pointerInput", "unmarshal", "float64", "[]"}

// Annotation data of the wrong JSON shape is refused with a message that
// names the JSON field and the JSON type expected, as web.Bind words its
// errors, never with the decoder's text about Go types.
func TestAnnotationDataErrorsNameJSONFields(t *testing.T) {
	r := newAnnRoom(t, testdb.Backends()[0])
	for _, tc := range []struct {
		name, kind string
		data       any
		want       string
	}{
		{"ink colour a number", "ink", map[string]any{"colour": 5, "strokes": [][][]float64{{{10, 10}, {20, 20}}}},
			`field "colour" in the data of an ink annotation must be a string`},
		{"ink strokes an object", "ink", map[string]any{"strokes": map[string]any{"x": 1}},
			`field "strokes" in the data of an ink annotation must be an array`},
		{"note text a number", "note", map[string]any{"x": 10, "y": 10, "text": 7},
			`field "text" in the data of a note must be a string`},
		{"highlight rect x a string", "highlight", map[string]any{"rects": []map[string]any{{"x": "1", "y": 1, "w": 5, "h": 5}}},
			`field "rects.x" in the data of a highlight must be a number`},
		{"data an array", "note", []int{1, 2}, "the data of a note must be a JSON object"},
		{"unknown field", "note", map[string]any{"x": 10, "y": 10, "text": "a", "html": "<b>"},
			`unknown field "html" in the data of a note`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.c.Delegate.Do("POST", annotationsPath(r.open.ID), map[string]any{"id": "x1", "page": 1, "kind": tc.kind, "data": tc.data})
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d %s", res.Status, res.Body)
			}
			var body web.ErrorBody
			if err := json.Unmarshal(res.Body, &body); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body.Error.Message, tc.want) {
				t.Errorf("message %q, want it to say %q", body.Error.Message, tc.want)
			}
			for _, internal := range goInternals {
				if strings.Contains(body.Error.Message, internal) {
					t.Errorf("the message exposes decoder internals (%q): %s", internal, body.Error.Message)
				}
			}
		})
	}
}

// A pointer message of the wrong JSON shape (sent over the live
// connection, where the hub passes the text of the error to the client)
// is refused as invalid with a message about the JSON field, not Go
// types; trailing data after the message is refused too.
func TestPointerErrorsNameJSONFields(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		r := newAnnRoom(t, b)
		r.c.SetStatus(r.m, "scheduled", "live")
		r.c.Chair.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+r.m+"/presentation", map[string]any{"document_id": r.open.ID, "page": 1})
		doc := `"document_id":"` + r.open.ID + `"`
		for _, tc := range []struct{ body, want string }{
			{`{` + doc + `,"page":"1","kind":"laser","x":1,"y":1}`, `field "page" in a pointer message must be a whole number, not string`},
			{`{` + doc + `,"page":1,"kind":"stroke","stroke":"s","points":{"x":1}}`, `field "points" in a pointer message must be an array, not object`},
			{`[1,2]`, "a pointer message must be a JSON object"},
			{`{` + doc + `,"page":1,"kind":"laser","x":1,"y":1} {"page":2}`, "a pointer message must hold exactly one JSON value"},
			{`{` + doc + `,"page":1,"kind":"laser","x":1,"y":1}]`, "a pointer message must hold exactly one JSON value"},
		} {
			_, _, err := r.s.App.Docs.Pointer(t.Context(), web.Actor{UserID: r.c.Delegate.UserID}, r.m, json.RawMessage(tc.body))
			msg := apperr.Public(err)
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%s: %v, want invalid", tc.body, err)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: the client is told %q, want %q", tc.body, msg, tc.want)
			}
			for _, internal := range goInternals {
				if strings.Contains(msg, internal) {
					t.Errorf("%s: the client is told %q (internal detail %q)", tc.body, msg, internal)
				}
			}
		}
	})
}
