package docs

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

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
	rng := req.Header.Get("Range")
	starts := req.Method == http.MethodGet && (rng == "" || strings.HasPrefix(rng, "bytes=0-"))
	f, err := h.svc.Open(req.Context(), a, OpenRequest{DocumentID: c.Param("id"), Version: version, Starts: starts})
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "application/pdf")
	hdr.Set("Content-Disposition", contentDisposition(f.Name))
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hdr.Set("Cache-Control", "private, no-cache")
	hdr.Set("ETag", f.ETag)
	if f.CopyID != "" {
		hdr.Set("X-Curia-Copy-Id", f.CopyID)
	}
	http.ServeContent(c.Response(), req, "", f.ModTime, f)
	return nil
}

// contentDisposition names the file inline: an ASCII fallback for old
// clients and the UTF-8 name (Vietnamese titles) per RFC 6266.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || r < 0x20 || r == '"' || r == '\\' || r == '/' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`inline; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
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
			v, err := io.ReadAll(io.LimitReader(part, 4097))
			if err != nil {
				return stageError(readError{err})
			}
			if len(v) > 4096 {
				return apperr.Invalidf("the field %s is too long", name)
			}
			if !web.Storable(string(v)) {
				return apperr.Invalidf("the field %s holds a NUL character or bytes that are not UTF-8", name)
			}
			form.fields[name] = string(v)
		default:
			return apperr.Invalidf("unknown form field %q", name)
		}
		part.Close()
	}
}

func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
