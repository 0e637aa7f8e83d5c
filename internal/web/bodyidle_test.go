package web_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/web"
)

const testIdle = 500 * time.Millisecond

// testMinRate is the least a body may average, in bytes a second, after
// its first testIdle.
const testMinRate = 8

// idleServer serves /echo (binds a JSON body), /work (reads the body,
// then works for three idle limits and says whether its request was
// cancelled meanwhile) and /ignore (never reads the body, works as long).
func idleServer(t *testing.T) string {
	t.Helper()
	e := web.New(web.Options{Logger: slog.New(slog.DiscardHandler), BodyLimit: 1 << 20, BodyIdle: testIdle, BodyMinRate: testMinRate})
	e.POST("/echo", func(c echo.Context) error {
		var v struct {
			Name string `json:"name"`
		}
		if err := web.Bind(c, &v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	})
	e.POST("/work", func(c echo.Context) error {
		data, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		time.Sleep(3 * testIdle)
		return c.JSON(http.StatusOK, map[string]any{"bytes": len(data), "cancelled": c.Request().Context().Err() != nil})
	})
	e.POST("/ignore", func(c echo.Context) error {
		time.Sleep(3 * testIdle)
		return c.NoContent(http.StatusNoContent)
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	return conn, bufio.NewReader(conn)
}

func post(path, body string, length int) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, length, body)
}

func readResponse(t *testing.T, r *bufio.Reader) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return res, string(body)
}

func TestStalledBodyIs408AndClosed(t *testing.T) {
	conn, r := dial(t, idleServer(t))
	start := time.Now()
	_, _ = io.WriteString(conn, post("/echo", `{"name":`, 40))
	res, body := readResponse(t, r)
	took := time.Since(start)
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, `"code":"request_timeout"`) ||
		!strings.Contains(body, `"message":"the request body stopped arriving`) {
		t.Fatalf("stalled body: %d %s", res.StatusCode, body)
	}
	if took < testIdle || took > testIdle+3*time.Second {
		t.Fatalf("cut after %s; the idle limit is %s", took, testIdle)
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("connection still open after a stalled body: %v", err)
	}
}

func TestSlowBodyThatKeepsComingIsRead(t *testing.T) {
	conn, r := dial(t, idleServer(t))
	const body = `{"name":"slow but steady"}`
	_, _ = io.WriteString(conn, post("/echo", "", len(body)))
	start := time.Now()
	for i := range len(body) { // one byte every fifth of the limit: 5 limits in all
		time.Sleep(testIdle / 5)
		if _, err := conn.Write([]byte{body[i]}); err != nil {
			t.Fatalf("write byte %d after %s: %v", i, time.Since(start), err)
		}
	}
	res, got := readResponse(t, r)
	if res.StatusCode != http.StatusOK || !strings.Contains(got, "slow but steady") {
		t.Fatalf("slow body: %d %s", res.StatusCode, got)
	}
}

// TestTricklingBodyIsCut: a body that sends a byte just within the idle
// limit each time, far below the minimum rate, is cut soon after its
// first idle limit, not when it ends.
func TestTricklingBodyIsCut(t *testing.T) {
	conn, r := dial(t, idleServer(t))
	const body = `{"name":"one byte at a time"}` // 29 bytes, 11.6 s at this pace
	start := time.Now()
	_, _ = io.WriteString(conn, post("/echo", "", len(body)))
	go func() {
		for i := range len(body) {
			time.Sleep(testIdle * 4 / 5)
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return // cut
			}
		}
	}()
	res, got := readResponse(t, r)
	took := time.Since(start)
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(got, "arrived too slowly") {
		t.Fatalf("trickled body: %d %s", res.StatusCode, got)
	}
	// Allowed: testIdle, plus a byte's worth of time per byte sent (one
	// by then), so about 0.63 s; the whole body would take 11.6 s.
	if took < testIdle || took > testIdle+3*time.Second {
		t.Fatalf("cut after %s", took)
	}
}

// A handler that works on after reading its body is not cut, nor is its
// request cancelled, and the connection serves the next request.
func TestHandlerMayWorkPastTheIdleLimit(t *testing.T) {
	conn, r := dial(t, idleServer(t))
	for i := range 2 {
		_, _ = io.WriteString(conn, post("/work", `{"a":1}`, 7))
		res, body := readResponse(t, r)
		if res.StatusCode != http.StatusOK || body != `{"bytes":7,"cancelled":false}`+"\n" {
			t.Fatalf("request %d on the connection: %d %s", i+1, res.StatusCode, body)
		}
	}
	_, _ = io.WriteString(conn, post("/ignore", `{"a":1}`, 7))
	if res, body := readResponse(t, r); res.StatusCode != http.StatusNoContent {
		t.Fatalf("handler that ignores its body: %d %s", res.StatusCode, body)
	}
	_, _ = io.WriteString(conn, post("/echo", `{"name":"again"}`, 16))
	if res, body := readResponse(t, r); res.StatusCode != http.StatusOK {
		t.Fatalf("request after one whose body was not read: %d %s", res.StatusCode, body)
	}
}
