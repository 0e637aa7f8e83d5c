package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

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
		return decodeError(err)
	}
	if hasNULEscape(body) {
		return apperr.Invalidf("text in the request body must not contain the NUL character (\\u0000)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalidf("the request body must hold exactly one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return apperr.New(apperr.TooLarge, "request body too large")
	case errors.Is(err, io.EOF):
		return apperr.Invalidf("the request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("malformed JSON: the body ends too early")
	case errors.As(err, &syntax):
		return apperr.Invalidf("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.Invalidf("the request body must be a JSON object")
		}
		return apperr.Invalidf("field %q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return apperr.Invalidf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return apperr.Invalidf("malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	}
	return fmt.Sprintf("a %s", goKind)
}
