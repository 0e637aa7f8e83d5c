package web_test

import (
	"strings"
	"testing"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// DecodeJSON decodes a value inside a request (annotation data, a live
// message) as strictly as Bind decodes a body, and words every failure
// for people with the value's name: the JSON field and the JSON type
// expected, never Go types or struct names.
func TestDecodeJSONNamesFieldsNotGoTypes(t *testing.T) {
	type point struct {
		X float64 `json:"x"`
	}
	type data struct {
		Colour string  `json:"colour"`
		Count  uint8   `json:"count"`
		Points []point `json:"points"`
		Nested struct {
			On bool `json:"on"`
		} `json:"nested"`
	}
	const what = "the data of a mark"
	cases := []struct{ in, want string }{
		{`{"colour":5}`, `field "colour" in the data of a mark must be a string, not number`},
		{`{"count":-1}`, `field "count" in the data of a mark must be a whole number, not number -1`},
		{`{"count":300}`, `field "count" in the data of a mark must be a whole number, not number 300`},
		{`{"points":[{"x":"1"}]}`, `field "points.x" in the data of a mark must be a number, not string`},
		{`{"nested":{"on":1}}`, `field "nested.on" in the data of a mark must be true or false, not number`},
		{`{"points":{}}`, `field "points" in the data of a mark must be an array, not object`},
		{`[1]`, `the data of a mark must be a JSON object`},
		{`"x"`, `the data of a mark must be a JSON object`},
		{`{"colour":"a","size":1}`, `unknown field "size" in the data of a mark`},
		{`{"colour":"a"} {}`, `the data of a mark must hold exactly one JSON value`},
		{`{"colour":"a"}]`, `the data of a mark must hold exactly one JSON value`},
		{`{"colour":"a\u0000"}`, `text in the data of a mark must not contain the NUL character`},
		{`{"colour":`, `malformed JSON: the data of a mark ends too early`},
		{`{"colour" 1}`, `malformed JSON in the data of a mark at byte`},
		{``, `the data of a mark is empty`},
	}
	for _, tc := range cases {
		var v data
		err := web.DecodeJSON([]byte(tc.in), &v, what)
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want invalid", tc.in, err)
			continue
		}
		msg := apperr.Public(err)
		if !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: %q, want %q", tc.in, msg, tc.want)
		}
		for _, internal := range []string{"Go ", "struct", "web_test", "uint8", "float64", "unmarshal"} {
			if strings.Contains(msg, internal) {
				t.Errorf("%s: %q names %q", tc.in, msg, internal)
			}
		}
	}
	var v data
	if err := web.DecodeJSON([]byte(` {"colour":"#fff","points":[{"x":1}]} `), &v, what); err != nil || v.Colour != "#fff" || len(v.Points) != 1 {
		t.Errorf("a good value: %+v %v", v, err)
	}
}
