package docs

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// Handler serves the document routes.
type Handler struct {
	svc *Service
}

// NewHandler returns the document routes.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// UploadPaths are the routes that take large bodies and set their own
// limit; the server's general body limit must skip them.
var UploadPaths = []string{"/api/v1/meetings/:id/documents", "/api/v1/documents/:id/versions"}

// Routes registers the document routes on the signed-in group.
func (h *Handler) Routes(g *echo.Group) {
	g.POST("/meetings/:id/documents", h.upload)
	g.GET("/meetings/:id/documents", h.list)
	g.GET("/documents/:id", h.get)
	g.PATCH("/documents/:id", h.update)
	g.DELETE("/documents/:id", h.delete)
	g.POST("/documents/:id/versions", h.addVersion)
	g.PUT("/documents/:id/access", h.setAccess)
	g.GET("/documents/:id/file", h.file)
	g.HEAD("/documents/:id/file", h.file)
	h.annotationRoutes(g)
}

func (h *Handler) list(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	list, err := h.svc.List(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"documents": list})
}

func (h *Handler) get(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	d, err := h.svc.Get(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (h *Handler) update(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in Changes
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	d, err := h.svc.Update(c.Request().Context(), a, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (h *Handler) setAccess(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in struct {
		UserIDs []string `json:"user_ids"`
	}
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	if in.UserIDs == nil {
		return apperr.Invalidf("user_ids: give the list of readers (may be empty)")
	}
	d, err := h.svc.SetAccess(c.Request().Context(), a, c.Param("id"), in.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (h *Handler) delete(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), a, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// file serves a document with Range, ETag and If-None-Match (through
// http.ServeContent), an inline Content-Disposition with a safe name, and a
// CSP that sandboxes the PDF if a browser renders it itself.
func (h *Handler) file(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	version := 0
	if v := c.QueryParam("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return apperr.Invalidf("version must be a whole number from 1")
		}
	}
	req := c.Request()
	var starts func(*File, int64) bool // HEAD sends no content: never an opening
	if req.Method == http.MethodGet {
		starts = func(f *File, size int64) bool { return startsReading(req.Header, f, size) }
	}
	f, err := h.svc.Open(req.Context(), a, OpenRequest{DocumentID: c.Param("id"), Version: version, Starts: starts})
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "application/pdf")
	hdr.Set("Content-Disposition", contentDisposition(f.Name))
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hdr.Set("ETag", f.ETag)
	if f.CopyID != "" {
		// A reader's own stamped copy is kept in no cache, the
		// browser's disk included: on a tablet the next delegate picks
		// up it would outlive the session. Range and If-None-Match
		// still work; the browser just has nothing to revalidate.
		hdr.Set("Cache-Control", "private, no-store")
		hdr.Set("X-Curia-Copy-Id", f.CopyID)
	} else {
		hdr.Set("Cache-Control", "private, no-cache")
	}
	http.ServeContent(c.Response(), req, "", f.ModTime, f)
	return nil
}

// startsReading reports whether a GET with these headers starts a reading
// of f (of size bytes) rather than continuing one: whether
// http.ServeContent, reading the headers as below, sends byte 0. Only a
// request every range of which starts after byte 0 may continue a reading
// (pdf.js fetching the next chunks), so the audit log gets one entry per
// opening, not one per chunk; such a request is still audited when its
// session has not opened the version recently (Service.Open), so that
// skipping byte 0 hides nothing. Everything else is an opening: no Range; a
// Range that If-Range voids; one that is malformed or not in bytes
// (answered 416, counted to be safe); one whose ranges add up to more
// than the file (ServeContent then sends all of it); and a range from
// byte 0 however it is spelled (bytes=00-, bytes=-N with N ≥ size, or
// among several).
func startsReading(h http.Header, f *File, size int64) bool {
	rng := h.Get("Range")
	if rng == "" || size <= 0 || !ifRangeHolds(h.Get("If-Range"), f) {
		return true
	}
	return rangeFromStart(rng, size)
}

// rangeFromStart reads a Range header as http.ServeContent does for a
// file of size bytes (size > 0) and reports whether what it sends
// includes byte 0: see startsReading.
func rangeFromStart(rng string, size int64) bool {
	const unit = "bytes="
	if !strings.HasPrefix(rng, unit) {
		return true
	}
	served, total, beyond := 0, int64(0), false
	for spec := range strings.SplitSeq(rng[len(unit):], ",") {
		spec = textproto.TrimString(spec)
		if spec == "" {
			continue
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return true
		}
		first, last = textproto.TrimString(first), textproto.TrimString(last)
		var start, length int64
		if first == "" { // the last N bytes
			if last == "" || last[0] == '-' {
				return true
			}
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil || n < 0 {
				return true
			}
			start = size - min(n, size)
			length = size - start
		} else {
			n, err := strconv.ParseInt(first, 10, 64)
			if err != nil || n < 0 {
				return true
			}
			if n >= size { // beyond the end: skipped
				beyond = true
				continue
			}
			start, length = n, size-n
			if last != "" {
				end, err := strconv.ParseInt(last, 10, 64)
				if err != nil || end < start {
					return true
				}
				length = min(end, size-1) - start + 1
			}
		}
		if start == 0 {
			return true
		}
		served++
		if total += length; total > size { // ServeContent ignores the Range
			return true
		}
	}
	// No range at all ("bytes=") serves the whole file; ranges that all
	// lie beyond the end are refused (416).
	return served == 0 && !beyond
}

// ifRangeHolds reports whether http.ServeContent honours a Range given
// this If-Range header: when it is absent, f's strong ETag, or f's time
// to the second; otherwise the whole file is sent.
func ifRangeHolds(ir string, f *File) bool {
	ir = textproto.TrimString(ir)
	switch {
	case ir == "":
		return true
	case strings.HasPrefix(ir, `"`):
		end := strings.IndexByte(ir[1:], '"')
		return end >= 0 && ir[:end+2] == f.ETag && strings.HasPrefix(f.ETag, `"`)
	case strings.HasPrefix(ir, "W/"):
		return false // a weak ETag never matches
	}
	t, err := http.ParseTime(ir)
	return err == nil && !f.ModTime.IsZero() && t.Unix() == f.ModTime.Unix()
}

// contentDisposition names the file inline per RFC 6266: an ASCII
// fallback for old clients (filename=) and the UTF-8 name, Vietnamese
// titles included, percent-encoded per RFC 8187 (filename*=). Control
// characters (C0, DEL, C1), bidirectional overrides and line separators
// are left out of both, as are path separators: a title stored before
// they were refused must still give a header every client accepts.
func contentDisposition(name string) string {
	name = web.SafeFileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == ';' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return web.Disposition("inline", ascii, name)
}

// upload streams a multipart upload: the meeting is authorised before any
// byte of the body is read; the file part is written to disk as it
// arrives; the small fields may come before or after it.
func (h *Handler) upload(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	meetingID := c.Param("id")
	if err := h.svc.CanUpload(ctx, a, meetingID); err != nil {
		return err
	}
	form, err := h.readForm(c, map[string]bool{"title": true, "agenda_item_id": true, "confidential": true, "reader_ids": true})
	if err != nil {
		return err
	}
	defer form.file.Remove()
	in := NewDocument{Title: form.fields["title"], AgendaItemID: form.fields["agenda_item_id"], Readers: splitIDs(form.fields["reader_ids"])}
	if v := form.fields["confidential"]; v != "" {
		if in.Confidential, err = strconv.ParseBool(v); err != nil {
			return apperr.Invalidf("confidential must be true or false")
		}
	}
	d, err := h.svc.Add(ctx, a, meetingID, in, form.file)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (h *Handler) addVersion(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, _, _, err := h.svc.managedDoc(ctx, a, c.Param("id")); err != nil {
		return err
	}
	form, err := h.readForm(c, nil)
	if err != nil {
		return err
	}
	defer form.file.Remove()
	d, err := h.svc.AddVersion(ctx, a, c.Param("id"), form.file)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

type uploadForm struct {
	file   *Staged
	fields map[string]string
}

// readForm reads a multipart body with one "file" part and the allowed
// small fields (at most 4 KB each); anything else is refused.
func (h *Handler) readForm(c echo.Context, allowed map[string]bool) (*uploadForm, error) {
	req := c.Request()
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, apperr.New(apperr.Unsupported, "upload the PDF as multipart/form-data with a part named file")
	}
	limit := h.svc.MaxUpload() + 1<<20 // room for the other parts
	if req.ContentLength > limit {
		return nil, tooLarge(h.svc.MaxUpload())
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mr, err := req.MultipartReader()
	if err != nil {
		return nil, apperr.Invalidf("malformed multipart body")
	}
	form := &uploadForm{fields: map[string]string{}}
	if err := h.readParts(mr, allowed, form); err != nil {
		form.file.Remove()
		return nil, err
	}
	if form.file == nil {
		return nil, apperr.Invalidf("the upload has no part named file")
	}
	return form, nil
}

func (h *Handler) readParts(mr *multipart.Reader, allowed map[string]bool, form *uploadForm) error {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return stageError(readError{err})
		}
		name := part.FormName()
		switch {
		case name == "file" && form.file == nil:
			st, err := h.svc.Stage(part, part.FileName())
			if err != nil {
				return err
			}
			form.file = st
		case name == "file":
			return apperr.Invalidf("upload one file at a time")
		case allowed[name]:
			limit := int64(maxFieldBytes)
			if name == "reader_ids" {
				limit = maxReaderIDsBytes
			}
			v, err := io.ReadAll(io.LimitReader(part, limit+1))
			if err != nil {
				return stageError(readError{err})
			}
			if int64(len(v)) > limit {
				return apperr.Invalidf("the field %s is too long (at most %d bytes)", name, limit)
			}
			if !web.Storable(string(v)) {
				return apperr.Invalidf("the field %s holds a NUL character or bytes that are not UTF-8", name)
			}
			form.fields[name] = string(v)
		default:
			return apperr.Invalidf("unknown form field %s", web.Quote(name))
		}
		part.Close()
	}
}

// maxFieldBytes bounds a small form field of an upload; reader_ids may
// name the 1000 readers an access list may have (ids of up to 64
// characters, comma-separated).
const (
	maxFieldBytes     = 4096
	maxReaderIDsBytes = 64 << 10
)

func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
