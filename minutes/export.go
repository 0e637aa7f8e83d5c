package minutes

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
	_ "time/tzdata" // time zones by name, also where the system has none (a slim image)
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Request says how the minutes are wanted: Format html (the default) or
// json, Lang vi (the default) or en, and TZ the IANA time zone the page's
// times are written in (UTC by default; the desk sends the browser's, so a
// council in Hà Nội reads its own clock). JSON times are always UTC.
type Request struct {
	Format string
	Lang   string
	TZ     string
	loc    *time.Location
}

// normalize checks r and fills the defaults.
func (r Request) normalize() (Request, error) {
	if r.Format == "" {
		r.Format = "html"
	}
	if r.Lang == "" {
		r.Lang = "vi"
	}
	if r.Format != "html" && r.Format != "json" {
		return r, apperr.Invalidf("format must be html or json, not %s", web.Quote(r.Format))
	}
	if _, ok := language(r.Lang); !ok {
		return r, apperr.Invalidf("lang must be vi or en, not %s", web.Quote(r.Lang))
	}
	r.loc = time.UTC
	if r.TZ != "" {
		loc, err := time.LoadLocation(r.TZ)
		if err != nil || r.TZ == "Local" || len(r.TZ) > 64 {
			return r, apperr.Invalidf("tz must be a time zone name such as Asia/Ho_Chi_Minh, not %s", web.Quote(r.TZ))
		}
		r.loc = loc
	}
	return r, nil
}

// File is exported minutes, ready to download.
type File struct {
	Name        string // the UTF-8 file name, e.g. "Biên bản - Kỳ họp thứ nhất.html"
	ASCIIName   string // its fallback for old clients, e.g. "bien-ban-ky-hop-thu-nhat.html"
	ContentType string
	Body        []byte
}

// Disposition is the file's Content-Disposition: an attachment with the
// ASCII fallback (filename=) and the UTF-8 name (filename*=, RFC 8187).
func (f File) Disposition() string {
	return web.Disposition("attachment", f.ASCIIName, f.Name)
}

// Export builds the minutes (see Build), renders them as asked and
// records the export in the audit log (minutes.exported); minutes whose
// export cannot be audited are not given. A bad format or language is
// Invalid before anything is read or written.
func (s *Service) Export(ctx context.Context, a web.Actor, meetingID string, req Request) (File, error) {
	req, err := req.normalize()
	if err != nil {
		return File{}, err
	}
	m, err := s.Build(ctx, a, meetingID)
	if err != nil {
		return File{}, err
	}
	m.Lang = req.Lang
	l, _ := language(req.Lang)
	l.loc = req.loc
	f := File{Name: fileName(l.fileWord+" - "+m.Meeting.Title, req.Format),
		ASCIIName: asciiName(l.fileSlug, m.Meeting.Title, m.Meeting.ID, req.Format)}
	if req.Format == "json" {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return File{}, apperr.Internalf(err, "encode minutes of %s", meetingID)
		}
		f.Body, f.ContentType = buf.Bytes(), "application/json; charset=utf-8"
	} else {
		body, err := renderHTML(m, l)
		if err != nil {
			return File{}, apperr.Internalf(err, "render minutes of %s", meetingID)
		}
		f.Body, f.ContentType = body, "text/html; charset=utf-8"
	}
	e := audit.For(a, s.now(), meetingID, "minutes.exported", "meeting:"+meetingID,
		map[string]any{"format": req.Format, "lang": req.Lang, "draft": m.Draft, "status": m.Meeting.Status})
	if err := s.auditor.Record(ctx, e); err != nil {
		return File{}, err
	}
	return f, nil
}

// fileName is name, made safe (web.SafeFileName), with the format's extension.
func fileName(name, format string) string { return web.SafeFileName(name) + "." + format }

// asciiName is a lowercase ASCII name made of the prefix and the title,
// Vietnamese letters without their marks ("Kỳ họp" gives "ky-hop"), other
// characters as dashes; the meeting id when the title leaves nothing. The
// title is composed first (NFC), so that one typed with combining marks
// (Unicode tổ hợp, as some Vietnamese keyboards send it: "Ky\u0300")
// gives the same name as the precomposed one; a mark that composes with
// nothing is left out, not taken for a word break.
func asciiName(prefix, title, id, format string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(norm.NFC.String(title)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = fold(r)
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			if b.Len() >= 60 {
				break
			}
			continue
		}
		dash = true
	}
	slug := b.String()
	if slug == "" {
		slug = id
	}
	return prefix + "-" + slug + "." + format
}

// fold takes the marks off a lowercase Vietnamese letter ("ộ" gives "o",
// "đ" gives "d"); other runes stay.
func fold(r rune) rune {
	for _, t := range [...]struct {
		base    rune
		letters string
	}{
		{'a', "àáảãạăằắẳẵặâầấẩẫậ"}, {'e', "èéẻẽẹêềếểễệ"}, {'i', "ìíỉĩị"}, {'o', "òóỏõọôồốổỗộơờớởỡợ"},
		{'u', "ùúủũụưừứửữự"}, {'y', "ỳýỷỹỵ"}, {'d', "đ"},
	} {
		if strings.ContainsRune(t.letters, r) {
			return t.base
		}
	}
	return r
}
