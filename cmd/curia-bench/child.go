package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// child is a fanout-server process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
	http  *http.Client
	chair *chairClient // page turns of the app's seeded meeting
}

// chairClient is the chair's tablet: one keep-alive connection for its
// page turns, whose first write of each request is timed. A page turn's
// latency runs from there, not from the call: Go's HTTP client hands the
// request to a writer goroutine, which waits for a core like the 550
// bench tablets' readers do (a real chair's tablet has its own).
type chairClient struct {
	http *http.Client
	conn atomic.Pointer[sendStampedConn]
}

// sendStampedConn notes when the first write after a reset began (unix ns).
type sendStampedConn struct {
	net.Conn
	wrote atomic.Int64
}

func (c *sendStampedConn) Write(b []byte) (int, error) {
	c.wrote.CompareAndSwap(0, time.Now().UnixNano())
	return c.Conn.Write(b)
}

func newChairClient() *chairClient {
	cc := &chairClient{}
	var d net.Dialer
	cc.http = &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			sc := &sendStampedConn{Conn: nc}
			sc.wrote.Store(-1) // not asked for yet
			cc.conn.Store(sc)
			return sc, nil
		}}}
	return cc
}

// do sends req and returns its status and when its first byte was
// written (unix ns; 0 unknown).
func (cc *chairClient) do(req *http.Request) (status int, wrote int64, err error) {
	if sc := cc.conn.Load(); sc != nil {
		sc.wrote.Store(0)
	}
	resp, err := cc.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if sc := cc.conn.Load(); sc != nil {
		wrote = max(sc.wrote.Load(), 0)
	}
	return resp.StatusCode, wrote, nil
}

func startChild(ctx context.Context, mode, dbdir string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "fanout-server", "-mode", mode, "-dbdir", dbdir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, http: &http.Client{Timeout: 10 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256}}, chair: newChairClient()}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addr <- a
			}
		}
	}()
	select {
	case c.addr = <-addr:
		return c, nil
	case <-time.After(30 * time.Second):
		c.stop()
		return nil, errors.New("server did not start")
	}
}

// stop closes the child's stdin, which tells it to shut down, and waits.
func (c *child) stop() {
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func (c *child) get(path string, v any) error {
	resp, err := c.http.Get("http://" + c.addr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *child) post(path string) error {
	resp, err := c.http.Post("http://"+c.addr+path, "", nil)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return nil
}

// postJSON posts to the child and decodes its JSON answer.
func (c *child) postJSON(path string, v any) error {
	resp, err := c.http.Post("http://"+c.addr+path, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s %s", path, resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// turnPage turns the seeded meeting's presentation to page as its chair,
// through the API, and returns when the request was written (unix ns; 0
// unknown).
func (c *child) turnPage(s seedResult, page int) (int64, error) {
	body := fmt.Appendf(nil, `{"document_id":%q,"page":%d}`, s.Document, page)
	req, err := http.NewRequest("PUT", "http://"+c.addr+"/api/v1/meetings/"+s.Meeting+"/presentation", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.ChairToken)
	status, wrote, err := c.chair.do(req)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("turn to page %d: status %d", page, status)
	}
	return wrote, err
}
