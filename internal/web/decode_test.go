package web_test

import (
	"strings"
	"testing"
	"time"

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

// A refused value is quoted back cut to 60 characters; a date and time
// that is not RFC 3339 is said to be one; an unknown field of any length
// is named short.
func TestDecodeQuotesShortAndNamesTimes(t *testing.T) {
	type in struct {
		At *time.Time `json:"at"`
	}
	long := strings.Repeat("ả", 100_000)
	cases := []struct{ in, want string }{
		{`{"at":"tomorrow"}`, `a date and time in the data must be a string in RFC 3339 form`},
		{`{"at":5}`, `a date and time in the data must be a string in RFC 3339 form`},
		{`{"at":"2026-13-01T00:00:00Z"}`, `a date and time in the data must be a string in RFC 3339 form`},
		{`{"` + long + `":1}`, `unknown field "` + strings.Repeat("ả", 60) + `…" in the data`},
	}
	for _, tc := range cases {
		var v in
		err := web.DecodeJSON([]byte(tc.in), &v, "the data")
		if msg := apperr.Public(err); apperr.KindOf(err) != apperr.Invalid || msg != tc.want && !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%.40s: %.200q, want %q", tc.in, msg, tc.want)
		}
	}
	if q := web.Quote(long); q != `"`+strings.Repeat("ả", 60)+`…"` {
		t.Errorf("Quote of 100,000 characters: %.100s", q)
	}
	if q := web.Quote("a\x00b\xff"); q != `"a\x00b\xff"` {
		t.Errorf("Quote of control and broken bytes: %s", q)
	}
	if q := web.Quote(strings.Repeat("x", 60)); q != `"`+strings.Repeat("x", 60)+`"` {
		t.Errorf("Quote of exactly 60 characters: %s", q)
	}
}
