package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
)

// Bind decodes the JSON request body into v strictly: the content type
// must be JSON, unknown fields and trailing data are refused, text must be
// storable (no NUL character), and every failure is an Invalid error that
// says where the problem is.
func Bind(c echo.Context, v any) error {
	req := c.Request()
	ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if ct != echo.MIMEApplicationJSON {
		return apperr.New(apperr.Unsupported, "the request body must be JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(req.Body) // bounded by the body limit
	if err != nil {
		return DecodeError(err, "")
	}
	// encoding/json leaves a struct as it is for null: the body would pass
	// as {} (a page turn stopping the presentation, a floor given).
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return apperr.Invalidf("the request body must be a JSON object, not null")
	}
	return DecodeJSON(body, v, "")
}

// DecodeJSON decodes data, one JSON value, into v as strictly as Bind
// does: unknown fields, trailing data and the NUL character in text are
// refused, and every failure is an Invalid error worded by DecodeError.
// what names the value as the client knows it ("the data of a note");
// "" is the request body.
func DecodeJSON(data []byte, v any, what string) error {
	name := valueName(what)
	if HasNULEscape(data) {
		return apperr.Invalidf("text in %s must not contain the NUL character (\\u0000)", name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return DecodeError(err, what)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalidf("%s must hold exactly one JSON value", name)
	}
	return nil
}

// DecodeError words an error of encoding/json (or of reading a body
// bounded by http.MaxBytesReader) for people: it names the JSON field and
// the JSON type expected, never Go types or struct names. what names the
// decoded value as the client knows it ("the data of a note"); "" is the
// request body. The result is an Invalid error (TooLarge for a body over
// its limit).
func DecodeError(err error, what string) error {
	name := valueName(what)
	in := ""
	if what != "" {
		in = " in " + what
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return apperr.New(apperr.TooLarge, "request body too large")
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("%s is empty; a JSON object is expected", name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("malformed JSON: %s ends too early", name)
	case errors.As(err, &syntax):
		return apperr.Invalidf("malformed JSON%s at byte %d", in, syntax.Offset)
	case errors.As(err, &typ):
		want := "a JSON value of another type"
		if typ.Type != nil {
			want = jsonKind(typ.Type.Kind().String())
		}
		if typ.Field == "" {
			if want == "an object" {
				return apperr.Invalidf("%s must be a JSON object", name)
			}
			return apperr.Invalidf("%s must be %s, not %s", name, want, typ.Value)
		}
		return apperr.Invalidf("field %q%s must be %s, not %s", typ.Field, in, want, typ.Value)
	case isTimeError(err):
		return apperr.Invalidf("a date and time%s must be a string in RFC 3339 form, such as \"2026-12-01T08:00:00+07:00\"", in)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return apperr.Invalidf("unknown field %s%s", Quote(name), in)
	}
	return apperr.Invalidf("malformed JSON%s", in)
}

// isTimeError reports whether err is time.Time's refusal of a JSON value
// (a string not in RFC 3339 form, or not a string). encoding/json passes
// it on without the field's name.
func isTimeError(err error) bool {
	var pe *time.ParseError
	return errors.As(err, &pe) || strings.HasPrefix(err.Error(), "Time.UnmarshalJSON:")
}

func valueName(what string) string {
	if what == "" {
		return "the request body"
	}
	return what
}

// jsonKind names the JSON type that decodes into a Go kind.
func jsonKind(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "struct" || goKind == "map":
		return "an object"
	case goKind == "slice" || goKind == "array":
		return "an array"
	case strings.HasPrefix(goKind, "int") || strings.HasPrefix(goKind, "uint"):
		return "a whole number"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	}
	return "a JSON value of another type"
}
