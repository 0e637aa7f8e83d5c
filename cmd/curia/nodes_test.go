package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// Two `curia serve` processes on one PostgreSQL: a page turned through
// node A reaches a tablet on node B, and a tablet moving from B to A
// resumes without a gap.
func TestTwoNodesShareLiveEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	var pg *testdb.Backend
	for _, b := range testdb.Backends() {
		if b.Name == "postgres" {
			pg = &b
		}
	}
	if pg == nil {
		t.Skip("CURIA_TEST_POSTGRES is not set")
	}
	dbURL, _ := pg.URL(t)
	bin := filepath.Join(t.TempDir(), "curia")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir() // one shared data directory, as with a shared volume
	a, b := startNode(t, bin, dbURL, data), startNode(t, bin, dbURL, data)

	admin := login(t, a, "admin", "admin password")
	ids := map[string]string{}
	for _, u := range []string{"chair", "tablet"} {
		var out struct{ ID string }
		call(t, a, admin, "POST", "/api/v1/users", map[string]any{"username": u, "password": "password " + u, "full_name": u}, &out)
		ids[u] = out.ID
	}
	var m struct{ ID string }
	call(t, a, admin, "POST", "/api/v1/meetings", map[string]any{"title": "Hai nút"}, &m)
	call(t, a, admin, "PUT", "/api/v1/meetings/"+m.ID+"/participants/"+ids["chair"], map[string]any{"role": "chair"}, nil)
	call(t, a, admin, "PUT", "/api/v1/meetings/"+m.ID+"/participants/"+ids["tablet"], map[string]any{"role": "delegate"}, nil)
	docID := upload(t, a, admin, m.ID, testpdf.Pages(6, "nodes"))
	for _, st := range []string{"scheduled", "live"} {
		call(t, a, admin, "POST", "/api/v1/meetings/"+m.ID+"/status", map[string]any{"status": st}, nil)
	}
	chair, tablet := login(t, a, "chair", "password chair"), login(t, b, "tablet", "password tablet")
	turn := func(page int) {
		call(t, a, chair, "PUT", "/api/v1/meetings/"+m.ID+"/presentation", map[string]any{"document_id": docID, "page": page}, nil)
	}

	ws := dialNode(t, b, tablet, m.ID, "")
	snap := readMsg(t, ws)
	var sd struct{ Epoch string }
	_ = json.Unmarshal(snap.Data, &sd)
	turn(2)
	got := nextPage(t, ws)
	if got.page != 2 {
		t.Fatalf("node B's tablet got page %d, want 2", got.page)
	}
	ws.Close()

	// Away while two more pages turn, then back through node A.
	turn(3)
	time.Sleep(60 * time.Millisecond) // past the coalescing window: two events
	turn(4)
	ws = dialNode(t, a, tablet, m.ID, fmt.Sprintf("since=%d&epoch=%s", got.seq, sd.Epoch))
	if first := readMsg(t, ws); first.Type != "snapshot" {
		t.Fatalf("resume began with %s", first.Type)
	}
	p3, p4 := nextPage(t, ws), nextPage(t, ws)
	if p3.page != 3 || p4.page != 4 || p3.seq != got.seq+1 || p4.seq != p3.seq+1 {
		t.Fatalf("resume on node A: pages %d,%d seqs %d,%d after %d", p3.page, p4.page, p3.seq, p4.seq, got.seq)
	}
}

type liveMsg struct {
	Seq  int64           `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

type pageAt struct {
	seq  int64
	page int
}

func nextPage(t *testing.T, ws *websocket.Conn) pageAt {
	t.Helper()
	for range 100 {
		m := readMsg(t, ws)
		if m.Type == "presentation.changed" {
			var st struct{ Page int }
			_ = json.Unmarshal(m.Data, &st)
			return pageAt{m.Seq, st.Page}
		}
	}
	t.Fatal("no presentation.changed")
	return pageAt{}
}

func readMsg(t *testing.T, ws *websocket.Conn) liveMsg {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m liveMsg
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

func startNode(t *testing.T, bin, dbURL, data string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "CURIA_ADDR=127.0.0.1:0", "CURIA_DATA_DIR="+data, "CURIA_DATABASE_URL="+dbURL,
		"CURIA_ADMIN_PASSWORD=admin password")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatal("node did not start")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return regexp.MustCompile(`http://\S+`).FindString(sc.Text())
}

func login(t *testing.T, node, user, pw string) string {
	t.Helper()
	var out struct{ Token string }
	call(t, node, "", "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw}, &out)
	return out.Token
}

func call(t *testing.T, node, token, method, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, node+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	do(t, req, token, out)
}

func do(t *testing.T, req *http.Request, token string, out any) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, data)
	}
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
}

func upload(t *testing.T, node, token, meetingID string, pdf []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "pack.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", node+"/api/v1/meetings/"+meetingID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct{ ID string }
	do(t, req, token, &out)
	return out.ID
}

func dialNode(t *testing.T, node, token, meetingID, query string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(node, "http") + "/api/v1/meetings/" + meetingID + "/live?" + query
	ws, res, err := websocket.DefaultDialer.Dial(u, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial %s: %d %v", node, status, err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}
