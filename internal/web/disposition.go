package web

import (
	"fmt"
	"strings"
	"unicode"
)

// Disposition is a Content-Disposition header value (RFC 6266): kind
// ("inline" or "attachment"), the ASCII fallback name for old clients
// (filename=, which the caller has made safe: no quotes, no control
// characters) and the UTF-8 name, percent-encoded (filename*=, RFC 8187).
func Disposition(kind, ascii, name string) string {
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii, extValue(name))
}

// extValue percent-encodes s as the value of an RFC 8187 parameter: every
// byte but attr-char.
func extValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// SafeFileName is name without what no header or file system should get:
// control characters (C0, DEL, C1), bidirectional overrides and line
// separators are left out, path separators and bytes that are not UTF-8
// become "_". A title stored before such characters were refused must
// still give a name every client accepts.
func SafeFileName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.In(r, unicode.Zl, unicode.Zp):
			return -1
		case r == '/' || r == '\\':
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "_"))
}
