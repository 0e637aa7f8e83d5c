package meeting

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/curia/curia/internal/apperr"
)

// Text limits, in characters.
const (
	MaxTitle       = 300
	maxLocation    = 300
	maxDescription = 10000
	maxReason      = 500
)

// CleanTitle trims a title and checks that it is one line of 1 to
// MaxTitle characters: a line break of any kind (U+2028 and U+2029
// included), another control character or a text-direction control
// (NotInALine) is Invalid. Agenda items use it too, so titles look alike.
func CleanTitle(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.Invalidf("%s must not be empty", field)
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTitle {
		return "", apperr.Invalidf("%s must be at most %d characters", field, MaxTitle)
	}
	if strings.ContainsFunc(s, NotInALine) {
		return "", apperr.Invalidf("%s must be a single line without control characters, "+
			"line or paragraph separators, or text-direction controls", field)
	}
	return s, nil
}

// NotInALine reports a character that has no place in one line of text:
// a control character (line feed, carriage return, tab, NEL …), the
// Unicode line and paragraph separators, which break a line as well, or
// a bidi control (unicode.Bidi_Control: the embeddings and overrides
// U+202A–U+202E, the isolates U+2066–U+2069, and the marks U+200E,
// U+200F, U+061C), which is invisible but reorders the rest of the line
// and the words printed after the text (a row of the minutes, a
// watermark): "Tờ trình\u202e" turns "(1 trang) [Mật]" around. It is
// the one rule for one-line text: CleanTitle, document titles and poll
// option labels use it; names refuse the same runes (account.offLine).
func NotInALine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r)
}

// CleanNote trims free text (a description, a location, a reason) and
// checks that it is at most max characters; it may be empty and span lines.
func CleanNote(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return "", apperr.Invalidf("%s must be at most %d characters", field, max)
	}
	bad := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }
	if strings.ContainsFunc(s, bad) {
		return "", apperr.Invalidf("%s must not contain control characters", field)
	}
	return s, nil
}

// cleanField is CleanTitle when max is 0, else CleanNote.
func cleanField(field, s string, max int) (string, error) {
	if max == 0 {
		return CleanTitle(field, s)
	}
	return CleanNote(field, s, max)
}
