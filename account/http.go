package account

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// CookieName is the session cookie of the web app.
const CookieName = "curia_session"

// Handler serves the account routes.
type Handler struct {
	svc          *Service
	secureCookie bool
}

// NewHandler returns the account routes. secureCookie sets the cookie's
// Secure flag (on whenever Curia is served over HTTPS).
func NewHandler(svc *Service, secureCookie bool) *Handler {
	return &Handler{svc: svc, secureCookie: secureCookie}
}

// Routes registers /auth/login (public) and the signed-in routes.
func (h *Handler) Routes(public, signedIn *echo.Group) {
	public.POST("/auth/login", h.login)
	signedIn.POST("/auth/logout", h.logout)
	signedIn.POST("/auth/password", h.changePassword)
	signedIn.GET("/me", h.me)
	signedIn.GET("/users", h.listUsers)
	signedIn.POST("/users", h.createUser)
	signedIn.GET("/users/:id", h.getUser)
	signedIn.PATCH("/users/:id", h.updateUser)
}

func client(c echo.Context) Client {
	return Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

func (h *Handler) login(c echo.Context) error {
	var in Credentials
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	cl := client(c)
	if ck, err := c.Cookie(DeviceCookieName); err == nil {
		cl.Device = ck.Value
	}
	sess, err := h.svc.Login(c.Request().Context(), in, cl)
	if err != nil {
		return err
	}
	c.SetCookie(h.cookie(sess.Token, sess.ExpiresAt))
	if sess.Device != "" {
		c.SetCookie(h.deviceCookie(sess.Device))
	}
	return c.JSON(http.StatusOK, sess)
}

// deviceCookie carries the device token (device.go). Only sign-in reads
// it, so it goes to /api/v1/auth only, and never along with a request
// from another site.
func (h *Handler) deviceCookie(token string) *http.Cookie {
	return &http.Cookie{Name: DeviceCookieName, Value: token, Path: "/api/v1/auth", MaxAge: int(DeviceTTL / time.Second),
		HttpOnly: true, Secure: h.secureCookie, SameSite: http.SameSiteStrictMode}
}

func (h *Handler) cookie(value string, expires time.Time) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: h.secureCookie, SameSite: http.SameSiteLaxMode}
}

func (h *Handler) logout(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if err := h.svc.Logout(c.Request().Context(), a, client(c)); err != nil {
		return err
	}
	c.SetCookie(h.cookie("", time.Unix(0, 0)))
	return c.NoContent(http.StatusNoContent)
}

// changePassword sets the signed-in user's own password; the session and
// its cookie stay as they are.
func (h *Handler) changePassword(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	var in PasswordChange
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(c.Request().Context(), a, in, client(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) me(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	u, err := h.svc.User(c.Request().Context(), a.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (h *Handler) listUsers(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	us, err := h.svc.ListUsers(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": us})
}

func (h *Handler) getUser(c echo.Context) error {
	if _, err := web.CurrentActor(c); err != nil {
		return err
	}
	u, err := h.svc.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (h *Handler) createUser(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if !a.IsAdmin { // refuse before reading the body: nothing to validate for a non-admin
		return apperr.Forbiddenf("only an administrator can create users")
	}
	var in NewUser
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	u, err := h.svc.CreateUser(c.Request().Context(), &a, in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (h *Handler) updateUser(c echo.Context) error {
	a, err := web.CurrentActor(c)
	if err != nil {
		return err
	}
	if !a.IsAdmin { // refuse before reading the body, as createUser does
		return apperr.Forbiddenf("only an administrator can change users")
	}
	var in UserChanges
	if err := web.Bind(c, &in); err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(c.Request().Context(), a, c.Param("id"), in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// TokenFrom returns the session token of a request: the Bearer header
// first, then the cookie. byCookie tells which one it was.
func TokenFrom(r *http.Request) (token string, byCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		return ck.Value, true
	}
	return "", false
}

// Authenticate is middleware that resolves the session of every request
// in its group and refuses requests without one.
func (h *Handler) Authenticate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			token, _ := TokenFrom(req)
			if token == "" {
				return apperr.New(apperr.Unauthenticated, "sign in first")
			}
			a, err := h.svc.Authenticate(req.Context(), token)
			if err != nil {
				return err
			}
			a.ClientIP = c.RealIP()
			c.SetRequest(req.WithContext(web.WithActor(req.Context(), a)))
			return next(c)
		}
	}
}
