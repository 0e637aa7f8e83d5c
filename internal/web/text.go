package web

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// Storable reports whether s can be stored as text by both databases:
// valid UTF-8 without the NUL character, which PostgreSQL cannot hold in a
// text column (it refuses the whole statement).
func Storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// storableInput refuses, before any handler runs, a request whose path or
// query carries text no database can hold: a path segment names nothing
// that exists (404), a query parameter is malformed (400). The JSON body
// is checked by Bind.
func storableInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if !Storable(v) {
				return apperr.NotFoundf("not found: the path holds a NUL character or bytes that are not UTF-8")
			}
		}
		for name, vs := range c.QueryParams() {
			if !Storable(name) {
				return apperr.Invalidf("a query parameter name holds a NUL character or bytes that are not UTF-8")
			}
			for _, v := range vs {
				if !Storable(v) {
					return apperr.Invalidf("query parameter %s holds a NUL character or bytes that are not UTF-8", name)
				}
			}
		}
		return next(c)
	}
}

// HasNULEscape reports whether a JSON text holds the escape \u0000 inside
// a string (a NUL character once decoded): a backslash-u-0000 preceded by
// an even number of backslashes, so that a note reading `\u0000` literally
// (sent as \\u0000) is not mistaken for one. Invalid UTF-8 needs no check:
// the decoder turns it into U+FFFD.
func HasNULEscape(b []byte) bool {
	for {
		i := bytes.Index(b, []byte(`\u0000`))
		if i < 0 {
			return false
		}
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		b = b[i+len(`\u0000`):]
	}
}

// quoteRunes is how much of a refused value Quote gives back.
const quoteRunes = 60

// Quote is a refused value as an error message quotes it: in double
// quotes with Go's escapes (so a control character or a broken byte shows
// as such), cut to its first 60 characters with "…" after them, so that a
// 100,000-character value does not come back whole in the message.
func Quote(s string) string {
	cut := false
	if n := 0; len(s) > quoteRunes {
		for i := range s {
			if n == quoteRunes {
				s, cut = s[:i], true
				break
			}
			n++
		}
	}
	q := strconv.Quote(s)
	if cut {
		q = q[:len(q)-1] + `…"`
	}
	return q
}
