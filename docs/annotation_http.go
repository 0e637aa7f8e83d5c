package docs

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// annotationRoutes registers the annotation routes on the signed-in group.
func (h *Handler) annotationRoutes(g *echo.Group) {
	g.POST("/documents/:id/annotations", h.createAnnotations)
	g.GET("/documents/:id/annotations", h.listAnnotations)
	g.PATCH("/annotations/:id", h.updateAnnotation)
	g.DELETE("/annotations/:id", h.deleteAnnotation)
	g.GET("/documents/:id/annotated.pdf", h.exportAnnotated)
}

// createBody is one annotation, or a batch as {"annotations": […]}.
type createBody struct {
	NewAnnotation
	Annotations []NewAnnotation `json:"annotations"`
}

// createAnnotations answers 201 when something was created and 200 when
// everything was a replay: one annotation in, one out; a batch in,
// {"annotations": […]} out, in the same order.
func (h *Handler) createAnnotations(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in createBody
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	batch := in.Annotations != nil
	list := in.Annotations
	if !batch {
		list = []NewAnnotation{in.NewAnnotation}
	} else if in.ID != "" || in.Kind != "" || in.Page != 0 || in.Data != nil || in.Version != 0 || in.Shared {
		return apperr.Invalidf("send one annotation, or a batch as {\"annotations\": […]}, not both")
	}
	out, created, err := h.svc.Annotate(c.Request().Context(), a, c.Param("id"), list)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created > 0 {
		status = http.StatusCreated
	}
	if batch {
		return c.JSON(status, map[string]any{"annotations": out, "created": created})
	}
	return c.JSON(status, out[0])
}

func (h *Handler) listAnnotations(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var q AnnotationQuery
	if q.Version, err = positiveQuery(c, "version"); err != nil {
		return err
	}
	if q.Page, err = positiveQuery(c, "page"); err != nil {
		return err
	}
	list, err := h.svc.Annotations(c.Request().Context(), a, c.Param("id"), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"annotations": list})
}

// positiveQuery reads an optional whole-number query parameter from 1.
func positiveQuery(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, apperr.Invalidf("%s must be a whole number from 1", name)
	}
	return n, nil
}

func (h *Handler) updateAnnotation(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in AnnotationChanges
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	out, err := h.svc.UpdateAnnotation(c.Request().Context(), a, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) deleteAnnotation(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteAnnotation(c.Request().Context(), a, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// exportAnnotated downloads the reader's annotated copy:
// ?shared=true adds everyone's shared annotations, ?version=N an
// earlier version. Each request draws (and audits) a new file, whose
// bytes differ from the last one's (the PDF's /ID, object streams), so
// the route answers no Range: a range of this file resumed against
// another would be a corrupt PDF. Range and If-Range are ignored, the
// whole file is sent with its length and "Accept-Ranges: none", and
// there is neither ETag nor Last-Modified to make a request conditional.
func (h *Handler) exportAnnotated(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	req := ExportRequest{DocumentID: c.Param("id")}
	if req.Version, err = positiveQuery(c, "version"); err != nil {
		return err
	}
	if v := c.QueryParam("shared"); v != "" {
		if req.Shared, err = strconv.ParseBool(v); err != nil {
			return apperr.Invalidf("shared must be true or false")
		}
	}
	f, err := h.svc.Export(c.Request().Context(), a, req)
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return apperr.Internalf(err, "size of the export")
	}
	hdr := c.Response().Header()
	hdr.Set("Content-Type", "application/pdf")
	hdr.Set("Content-Disposition", "attachment"+strings.TrimPrefix(contentDisposition(f.Name), "inline"))
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hdr.Set("Cache-Control", "private, no-store")
	if f.CopyID != "" {
		hdr.Set("X-Curia-Copy-Id", f.CopyID)
	}
	hdr.Set("Accept-Ranges", "none")
	hdr.Set("Content-Length", strconv.FormatInt(size, 10))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method != http.MethodHead {
		_, _ = io.Copy(c.Response(), f) // a client gone midway gets a short file it can tell by its length
	}
	return nil
}
