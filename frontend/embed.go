// Package frontend embeds the built web app (frontend/dist, made by the
// frontend build and never committed) and serves it.
package frontend

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed all:dist
var dist embed.FS

// notBuilt is shown when the binary was compiled without a frontend build.
const notBuilt = `<!doctype html><meta charset="utf-8"><title>Curia</title>
<p>The Curia web app was not built into this binary. Run <code>make run</code>,
which builds it, or use the API under <code>/api/v1</code>.</p>`

// Built reports whether the web app is embedded.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

// Register serves the app: assets by path, and index.html for every other
// path that is not under /api, so client-side routes survive a reload.
func Register(e *echo.Echo) {
	sub, _ := fs.Sub(dist, "dist")
	files := http.FileServer(http.FS(sub))
	built := Built()
	e.GET("/*", func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") {
			return echo.ErrNotFound
		}
		if !built {
			return c.HTML(http.StatusOK, notBuilt)
		}
		name := strings.TrimPrefix(p, "/")
		if name != "" {
			if st, err := fs.Stat(sub, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite names assets by content hash: cache them for good.
					c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Response(), c.Request())
				return nil
			}
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		index, err := fs.ReadFile(sub, "index.html")
		if err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, index)
	})
}
