package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// The hostile-input sweep: every route the app registers gets, from a
// user who may use it (an administrator who is also a delegate of a live
// meeting, so that rights and state let the request reach its input),
// requests no valid client sends: malformed JSON, JSON of the wrong type,
// unknown fields, fields of the wrong type or out of range, text with
// control characters, NUL or bytes that are not UTF-8, the wrong
// Content-Type, a 5 MB body, path parameters that are not ids and query
// parameters of the wrong type. Each must answer a 4xx (never a 5xx, never
// a 2xx), in the error shape {"error":{"code","message"}} with a message
// that tells no internals, names the field when only a field is wrong and
// does not quote a huge input back, within the client's timeout, and must
// write nothing to the database (every table but sessions is hashed
// before and after each request).
//
// Routes are taken from the running router, so a new route is swept
// without anyone adding it here: a new unsafe route is assumed to take a
// JSON object (its valid body is taken to be {}), a new GET none. Give it
// a sweepSpec below when it takes something else.
//
// Run: go test -count=1 -run TestInputSweep ./internal/app/

const sweepClientTimeout = 15 * time.Second

// sweepMaxMessage bounds an error message, in characters: a message says
// what is wrong, it does not hand a 100 kB input back.
const sweepMaxMessage = 1000

// sweepMaxUpload is the upload limit of the swept server, so that a 5 MB
// upload is over it.
const sweepMaxUpload = 2 << 20

// sweepSpec says what a route takes. A route without a spec takes a JSON
// object if its method is unsafe ({} is then its valid body), else nothing.
type sweepSpec struct {
	body     string            // a valid JSON body; "" when the route takes none
	optional bool              // the body may be left out (no body is valid)
	noBody   bool              // the route takes no body (it ignores one: openapi says "No body")
	form     string            // "document" or "version": a multipart upload
	queries  []string          // hostile query strings (without "?")
	ids      map[string]string // :param -> id, for this route only
	headers  []string          // sent with every request of the route
	accepted map[string]string // case name -> why a 2xx is right for it (the case may then be accepted)
}

type sweepWorld struct {
	s       *apptest.Server
	admin   *apptest.Client
	client  *http.Client
	params  map[string]string // route prefix + ":id" -> id
	userIDs map[string]string // ":user_id" -> id
	specs   map[string]sweepSpec
	tables  []string
}

func newSweepWorld(t *testing.T) *sweepWorld {
	t.Helper()
	s := apptest.Start(t, testdb.Backends()[0], func(c *app.Config) { c.MaxUploadBytes = sweepMaxUpload })
	c := s.NewCast("sw")
	m := c.Meeting("Sweep meeting")
	// The administrator takes part as a delegate: an admin may manage and
	// run the meeting, a delegate may speak and vote.
	c.Secretary.Must(http.StatusCreated, "PUT", "/api/v1/meetings/"+m+"/participants/"+c.Admin.UserID, map[string]any{"role": "delegate"})
	admin := c.Admin
	var item1, item2, doc, poll, closed, sp struct{ ID string }
	admin.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Mục 1"}).JSON(&item1)
	admin.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/agenda", map[string]any{"title": "Mục 2"}).JSON(&item2)
	if res := admin.Upload("/api/v1/meetings/"+m+"/documents", "a.pdf", testpdf.Pages(2, "sweep"), nil); res.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	} else {
		res.JSON(&doc)
	}
	c.SetStatus(m, "scheduled", "live")
	admin.Must(http.StatusOK, "POST", "/api/v1/meetings/"+m+"/attendance", map[string]any{"state": "present"})
	admin.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Đã đóng"}).JSON(&closed)
	admin.Must(http.StatusOK, "POST", "/api/v1/polls/"+closed.ID+"/open", nil)
	admin.Must(http.StatusOK, "POST", "/api/v1/polls/"+closed.ID+"/close", nil)
	admin.Must(http.StatusCreated, "POST", "/api/v1/meetings/"+m+"/polls", map[string]any{"title": "Biểu quyết"}).JSON(&poll)
	admin.Must(http.StatusOK, "POST", "/api/v1/polls/"+poll.ID+"/open", nil)
	admin.Must(http.StatusCreated, "POST", "/api/v1/agenda-items/"+item1.ID+"/speakers", map[string]any{"kind": "speech"}).JSON(&sp)
	admin.Must(http.StatusOK, "PUT", "/api/v1/meetings/"+m+"/agenda/current", map[string]any{"item_id": item1.ID}) // the speaker may be called
	ink := map[string]any{"colour": "#D32F2F", "width": 3, "strokes": [][][]float64{{{60, 80}, {140, 80.5, 0.5}}}}
	admin.Must(http.StatusCreated, "POST", "/api/v1/documents/"+doc.ID+"/annotations",
		map[string]any{"id": "sweep-ann-1", "page": 1, "kind": "ink", "shared": true, "data": ink})

	w := &sweepWorld{s: s, admin: admin, client: &http.Client{Timeout: sweepClientTimeout},
		params: map[string]string{
			"/api/v1/meetings/:id":     m,
			"/api/v1/agenda-items/:id": item2.ID,
			"/api/v1/documents/:id":    doc.ID,
			"/api/v1/polls/:id":        poll.ID,
			"/api/v1/speakers/:id":     sp.ID,
			"/api/v1/annotations/:id":  "sweep-ann-1",
			"/api/v1/users/:id":        c.Delegate.UserID,
		},
		userIDs: map[string]string{":user_id": c.Observer.UserID},
	}
	inkJSON := `{"colour":"#D32F2F","width":3,"strokes":[[[60,80],[140,80.5,0.5]]]}`
	idQueries := func(names ...string) []string {
		var out []string
		for _, n := range names {
			for _, v := range []string{"x", "0", "-1", "1.5", "99999999999999999999", "%20", "1%00"} {
				out = append(out, n+"="+v)
			}
		}
		return out
	}
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	w.specs = map[string]sweepSpec{
		"POST /api/v1/auth/login":    {body: `{"username":"sw.admin","password":"` + apptest.Password + `"}`},
		"POST /api/v1/auth/logout":   {noBody: true},
		"POST /api/v1/auth/password": {body: `{"current_password":"` + apptest.Password + `","new_password":"sweep new password 1"}`},
		"POST /api/v1/users":         {body: `{"username":"sweep.new","password":"sweep password 1","full_name":"Người Mới","is_admin":false}`},
		"PATCH /api/v1/users/:id":    {body: `{"full_name":"Người Đại Biểu","password":"sweep reset password","is_admin":false,"disabled":false}`},
		"GET /api/v1/audit": {queries: append(idQueries("before_id", "limit"),
			"limit=1001", "limit=-5", "before_id=9223372036854775808")},
		"POST /api/v1/meetings": {body: `{"title":"Họp","starts_at":"2026-12-01T09:00:00Z","location":"Phòng 1","description":"Mô tả"}`},
		"PATCH /api/v1/meetings/:id": {body: `{"title":"Họp","starts_at":"2026-12-01T09:00:00Z","location":"Phòng 1","description":"Mô tả",` +
			`"quorum":{"rule":"at_least","count":1,"by_weight":false}}`},
		"POST /api/v1/meetings/:id/status":               {body: `{"status":"adjourned"}`},
		"PUT /api/v1/meetings/:id/participants/:user_id": {body: `{"role":"observer","can_vote":false,"weight":1}`},
		"POST /api/v1/meetings/:id/attendance":           {body: `{"user_id":"` + c.Delegate.UserID + `","state":"present","reason":"Đúng giờ"}`},
		"POST /api/v1/meetings/:id/agenda":               {body: `{"title":"Mục","parent_id":"` + item1.ID + `","duration_min":10,"presenter_id":"` + c.Delegate.UserID + `","description":"Mô tả"}`},
		"PUT /api/v1/meetings/:id/agenda/order":          {body: `{"ids":["` + item2.ID + `","` + item1.ID + `"]}`},
		"PUT /api/v1/meetings/:id/agenda/current":        {body: `{"item_id":"` + item1.ID + `"}`},
		"PATCH /api/v1/agenda-items/:id":                 {body: `{"title":"Mục 2","description":"Mô tả","duration_min":5,"presenter_id":"` + c.Delegate.UserID + `","parent_id":null,"conclusion":"Kết luận"}`},
		"POST /api/v1/agenda-items/:id/speakers":         {body: `{"kind":"question","user_id":"` + c.Delegate.UserID + `"}`},
		"POST /api/v1/speakers/:id/start":                {body: `{"time_limit_sec":60}`, optional: true},
		"POST /api/v1/speakers/:id/finish":               {noBody: true},
		"POST /api/v1/speakers/:id/cancel":               {noBody: true},
		"POST /api/v1/meetings/:id/documents":            {form: "document"},
		"POST /api/v1/documents/:id/versions":            {form: "version"},
		"PATCH /api/v1/documents/:id":                    {body: `{"title":"Tài liệu","agenda_item_id":"` + item1.ID + `","position":1,"confidential":false}`},
		"PUT /api/v1/documents/:id/access":               {body: `{"user_ids":["` + c.Delegate.UserID + `"]}`},
		"GET /api/v1/documents/:id/file":                 {queries: append(idQueries("version"), "version=2")},
		"HEAD /api/v1/documents/:id/file":                {queries: append(idQueries("version"), "version=2")},
		"GET /api/v1/documents/:id/annotations":          {queries: idQueries("version", "page")},
		"GET /api/v1/documents/:id/annotated.pdf":        {queries: append(idQueries("version"), "shared=maybe", "shared=2", "shared=%00")},
		"POST /api/v1/documents/:id/annotations":         {body: `{"id":"sweep-ann-2","page":1,"kind":"ink","shared":false,"data":` + inkJSON + `}`},
		"PATCH /api/v1/annotations/:id":                  {body: `{"shared":false,"data":` + inkJSON + `,"rev":1}`},
		"PUT /api/v1/meetings/:id/presentation":          {body: `{"document_id":"` + doc.ID + `","page":1,"version":1,"zoom":{"x":0.1,"y":0.1,"w":0.5,"h":0.5}}`},
		"POST /api/v1/meetings/:id/polls":                {body: `{"title":"Biểu quyết 2","agenda_item_id":"` + item1.ID + `","secret":false,"options":[{"id":"yes","label":"Có"},{"id":"no","label":"Không"}],"max_choices":1,"majority":"simple","count_abstentions":false,"eligibility":"present"}`},
		"POST /api/v1/polls/:id/open":                    {noBody: true},
		"POST /api/v1/polls/:id/close":                   {noBody: true},
		"POST /api/v1/polls/:id/publish":                 {noBody: true},
		"POST /api/v1/polls/:id/cancel":                  {noBody: true},
		"POST /api/v1/polls/:id/again":                   {noBody: true},
		"POST /api/v1/polls/:id/votes":                   {body: `{"option":"agree"}`},
		"GET /api/v1/polls/:id/results":                  {queries: []string{"format=xml", "format=%3Cscript%3E", "format=CSV%00"}, ids: map[string]string{":id": closed.ID}},
		"GET /api/v1/meetings/:id/minutes":               {queries: []string{"format=pdf", "format=%00", "lang=zz", "lang=%ff", "tz=Not%2FAZone", "tz=..%2F..%2F..%2Fetc%2Fpasswd", "tz=%2Fetc%2Flocaltime"}},
		"GET /api/v1/meetings/:id/live":                  {headers: upgrade, queries: []string{"since=x", "since=-1", "since=1.5", "since=99999999999999999999"}},
	}
	sqlDB, err := s.App.DB.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		// Sessions note when they were last used, on every request.
		if name != "sessions" && !strings.HasPrefix(name, "sqlite_") {
			w.tables = append(w.tables, name)
		}
	}
	if len(w.tables) < 10 {
		t.Fatalf("the fingerprint would cover only the tables %v", w.tables)
	}
	return w
}

// fingerprint hashes every row of every table but sessions: any write a
// request makes changes it.
func (w *sweepWorld) fingerprint(t *testing.T) map[string]string {
	t.Helper()
	sqlDB, err := w.s.App.DB.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(w.tables))
	for _, table := range w.tables {
		rows, err := sqlDB.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("fingerprint %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var lines []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				t.Fatalf("fingerprint %s: %v", table, err)
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rows.Close()
		sort.Strings(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(sum[:6]))
	}
	return out
}

// sweepRoutes lists every route of the running router (method, path)
// but the catch-alls.
func sweepRoutes(s *apptest.Server) [][2]string {
	e := s.App.Handler().(*echo.Echo)
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, r := range e.Routes() {
		if strings.HasSuffix(r.Path, "/*") || r.Path == "*" {
			continue
		}
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
		default:
			continue
		}
		k := [2]string{r.Method, r.Path}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][1]+" "+out[i][0] < out[j][1]+" "+out[j][0] })
	return out
}

var sweepParam = regexp.MustCompile(`:[a-z_]+`)

// sweepTime matches the RFC 3339 times of the valid bodies.
var sweepTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)

// fill puts the world's ids into a route template; bad replaces the one
// parameter named param (the whole template when param is "").
func (w *sweepWorld) fill(tpl string, spec sweepSpec, param, bad string) string {
	return sweepParam.ReplaceAllStringFunc(tpl, func(p string) string {
		if p == param {
			return bad
		}
		if id, ok := spec.ids[p]; ok {
			return id
		}
		if id, ok := w.userIDs[p]; ok {
			return id
		}
		prefix := tpl[:strings.Index(tpl, p)] + p
		for pre, id := range w.params {
			if prefix == pre {
				return id
			}
		}
		return "no-id-for-" + strings.TrimPrefix(p, ":")
	})
}

// sweepCase is one hostile request.
type sweepCase struct {
	name    string
	path    string // with the query
	ct      string // Content-Type; "" sends none
	body    []byte
	chunked bool // send the body without a length
	headers []string
	// mayAccept: the input is odd but not invalid (text with bytes that
	// are not UTF-8, which the JSON decoder reads as U+FFFD by design,
	// see web.HasNULEscape); it may be accepted, but never a 5xx.
	mayAccept bool
}

// sweepBadIDs are path parameters that name nothing (percent-encoded as
// they go on the wire).
var sweepBadIDs = []struct{ name, v string }{
	{"word", "x"},
	{"NUL", "%00"},
	{"not UTF-8", "%ff%fe"},
	{"control characters", "%01%1b"},
	{"5000 chars", strings.Repeat("a", 5000)},
	{"dot dot", ".."},
	{"encoded traversal", "..%2F..%2Fetc%2Fpasswd"},
	{"quotes", "%27%22%3B--"},
	{"negative", "-1"},
	{"huge number", "99999999999999999999"},
	{"space", "%20"},
	{"percent", "%25"},
}

func (w *sweepWorld) cases(method, tpl string, spec sweepSpec) []sweepCase {
	var out []sweepCase
	takesJSON := spec.body != "" && spec.form == ""
	valid := []byte(nil)
	ct := ""
	if takesJSON {
		valid, ct = []byte(spec.body), "application/json"
	}
	if spec.form != "" {
		valid, ct = w.formBody("file", "x.pdf", testpdf.Pages(1, "sweep-valid"))
	}
	path := w.fill(tpl, spec, "", "")
	// Path parameters that name nothing, with an otherwise valid request.
	for _, p := range sweepParam.FindAllString(tpl, -1) {
		for _, bad := range sweepBadIDs {
			out = append(out, sweepCase{name: "path " + p + " " + bad.name, path: w.fill(tpl, spec, p, bad.v), ct: ct, body: valid})
		}
	}
	// Query strings: text no database can hold, on every route, and the
	// route's own parameters out of their range.
	for _, q := range []string{"q=%ff", "%ff=1", "q=%00", "q=a%00b"} {
		out = append(out, sweepCase{name: "query " + q, path: path + "?" + q, ct: ct, body: valid})
	}
	for _, q := range spec.queries {
		out = append(out, sweepCase{name: "query " + q, path: path + "?" + q, ct: ct, body: valid})
	}
	switch {
	case spec.form != "":
		out = append(out, w.formCases(path, spec.form)...)
	case takesJSON:
		out = append(out, jsonCases(path, spec)...)
	}
	for i := range out {
		out[i].headers = spec.headers
	}
	return out
}

// jsonCases are the hostile bodies of a route that takes a JSON object.
func jsonCases(path string, spec sweepSpec) []sweepCase {
	valid := spec.body
	var out []sweepCase
	add := func(name, ct, body string) {
		out = append(out, sweepCase{name: name, path: path, ct: ct, body: []byte(body)})
	}
	const js = "application/json"
	for _, b := range []struct{ name, body string }{
		{"malformed {", "{"},
		{"malformed truncated", valid[:len(valid)/2]},
		{"malformed single quotes", strings.ReplaceAll(valid, `"`, `'`)},
		{"array", "[]"},
		{"array of the object", "[" + valid + "]"},
		{"string", `"x"`},
		{"number", "123"},
		{"true", "true"},
		{"null", "null"},
		{"two objects", valid + valid},
		{"trailing garbage", valid + "x"},
		{"byte order mark", "\ufeff" + valid},
		{"deep nesting", strings.Repeat(`{"a":`, 50000)},
		{"deep arrays", strings.Repeat("[", 200000)},
	} {
		add("body "+b.name, js, b.body)
	}
	if !spec.optional {
		add("body empty", js, "")
		add("body whitespace", js, " \n")
	}
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(valid), "{"))
	if rest != "}" {
		rest = "," + rest
	}
	add("body unknown field", js, `{"zz_unknown":1`+rest)
	add("content-type text/plain", "text/plain", valid)
	add("content-type none", "", valid)
	add("content-type form", "application/x-www-form-urlencoded", "title=x")
	add("content-type multipart", "multipart/form-data; boundary=xyz", valid)
	add("content-type json-ish", "application/jsonx", valid)
	big := `{"title":"` + strings.Repeat("a", 5<<20) + `"}`
	add("body 5 MB", js, big)
	out = append(out, sweepCase{name: "body 5 MB chunked", path: path, ct: js, body: []byte(big), chunked: true})
	for _, m := range mutations(valid) {
		out = append(out, sweepCase{name: "field " + m.name, path: path, ct: js, body: m.body, mayAccept: m.mayAccept})
	}
	return out
}

type mutation struct {
	name      string
	body      []byte
	mayAccept bool
}

// mutations changes one value of the valid body at a time: to another
// JSON type, out of range, or text no one can mean.
func mutations(valid string) []mutation {
	dec := json.NewDecoder(strings.NewReader(valid))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		panic("sweep: a valid body is not JSON: " + valid)
	}
	var out []mutation
	var walk func(v any, name string, set func(any))
	emit := func(name string, set func(any), repl any, mayAccept bool) {
		set(repl)
		b, err := json.Marshal(root)
		if err != nil {
			panic(err)
		}
		if s, ok := repl.(string); ok && s == "\xff\xfe" {
			// Marshal would turn the bytes into U+FFFD: send them raw.
			b = bytes.Replace(b, []byte(`"\ufffd\ufffd"`), []byte("\"\xff\xfe\""), 1)
		}
		out = append(out, mutation{name: name, body: b, mayAccept: mayAccept})
	}
	walk = func(v any, name string, set func(any)) {
		defer set(v)
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k], join(name, k), func(nv any) { x[k] = nv })
			}
			for _, r := range []any{"x", 1, []any{}} {
				emit(name+" as "+typeName(r), set, r, false)
			}
		case []any:
			if len(x) > 0 {
				walk(x[0], name+"[0]", func(nv any) { x[0] = nv })
				many := make([]any, 20000)
				for i := range many {
					many[i] = x[0]
				}
				emit(name+" of 20000 elements", set, many, false)
			}
			for _, r := range []any{"x", 1, map[string]any{}} {
				emit(name+" as "+typeName(r), set, r, false)
			}
		case string:
			for _, r := range []any{json.Number("123"), true, map[string]any{}, []any{}} {
				emit(name+" as "+typeName(r), set, r, false)
			}
			emit(name+" with NUL", set, "a\x00b", false)
			emit(name+" with control characters", set, "a\x01\x1b[31mb", false)
			emit(name+" of 100000 chars", set, strings.Repeat("a", 100000), false)
			emit(name+" not UTF-8", set, "\xff\xfe", true)
			if sweepTime.MatchString(x) {
				for _, r := range []string{"0000-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "2026-02-30T09:00:00Z",
					"2026-12-01T09:00:00+25:00", "2026-12-01 09:00", "1e9"} {
					emit(name+" = "+r, set, r, false)
				}
			}
		case json.Number:
			for _, r := range []any{"1", true, map[string]any{}, []any{}} {
				emit(name+" as "+typeName(r), set, r, false)
			}
			for _, r := range []string{"-2", "2147483648", "9007199254740993", "9223372036854775807", "99999999999999999999", "1e400", "-1e400"} {
				emit(name+" = "+r, set, json.Number(r), false)
			}
		case bool:
			for _, r := range []any{"true", json.Number("1"), map[string]any{}, []any{}} {
				emit(name+" as "+typeName(r), set, r, false)
			}
		}
	}
	walk(root, "", func(nv any) { root = nv })
	// The root itself was replaced by walk's top-level emits; those are
	// the body cases already covered: drop them.
	return slices.DeleteFunc(out, func(m mutation) bool { return strings.HasPrefix(m.name, " as ") })
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, int:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// formBody is a multipart body with one part name (a file when filename
// is set) and the given fields.
func (w *sweepWorld) formBody(name, filename string, content []byte, fields ...string) ([]byte, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if name != "" {
		var fw io.Writer
		if filename != "" {
			fw, _ = mw.CreateFormFile(name, filename)
		} else {
			fw, _ = mw.CreateFormField(name)
		}
		_, _ = fw.Write(content)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", `form-data; name="`+fields[i]+`"`)
		pw, _ := mw.CreatePart(h)
		_, _ = pw.Write([]byte(fields[i+1]))
	}
	_ = mw.Close()
	return body.Bytes(), mw.FormDataContentType()
}

// formCases are the hostile uploads; none of them is a PDF that may be
// stored.
func (w *sweepWorld) formCases(path, kind string) []sweepCase {
	pdf := testpdf.Pages(1, "sweep-form")
	var out []sweepCase
	add := func(name string, body []byte, ct string) {
		out = append(out, sweepCase{name: name, path: path, ct: ct, body: body})
	}
	form := func(name string, fields ...string) {
		b, ct := w.formBody("file", "x.pdf", pdf, fields...)
		add(name, b, ct)
	}
	add("body JSON", []byte(`{}`), "application/json")
	add("content-type none", pdf, "")
	add("content-type application/pdf", pdf, "application/pdf")
	add("multipart without boundary", []byte("x"), "multipart/form-data")
	add("multipart garbage", []byte("garbage"), "multipart/form-data; boundary=xyz")
	add("multipart empty", nil, "multipart/form-data; boundary=xyz")
	b, ct := w.formBody("", "", nil, "title", "Tài liệu")
	add("no file part", b, ct)
	b, ct = w.formBody("file", "x.pdf", []byte("%PDF-1.7 this is no PDF"))
	add("file not a PDF", b, ct)
	b, ct = w.formBody("file", "x.pdf", nil)
	add("file empty", b, ct)
	b, ct = w.formBody("file", "x.pdf", bytes.Repeat([]byte("%PDF-1.7\n"), (5<<20)/9))
	add("file 5 MB", b, ct)
	out = append(out, sweepCase{name: "file 5 MB chunked", path: path, ct: ct, body: b, chunked: true})
	form("two files", "file", "again")
	form("unknown field", "zz_unknown", "1")
	if kind == "document" {
		form("title with NUL", "title", "a\x00b")
		form("title not UTF-8", "title", "\xff\xfe")
		form("title with control characters", "title", "a\x01\x1bb")
		form("title of 5000 bytes", "title", strings.Repeat("a", 5000))
		form("confidential maybe", "confidential", "maybe")
		form("agenda_item_id word", "agenda_item_id", "x")
		form("agenda_item_id NUL", "agenda_item_id", "\x00")
		form("reader_ids of nobody", "confidential", "true", "reader_ids", "x,"+w.admin.UserID)
		form("reader_ids not UTF-8", "confidential", "true", "reader_ids", "\xff")
	} else {
		form("title on a version", "title", "x")
	}
	return out
}

// sweepLeak matches internal text that must not reach a client.
var sweepLeak = regexp.MustCompile(`(?i:sql|gorm)|json:|strconv|runtime|goroutine|panic|\.go\b|/work/|/tmp/|\bint(8|16|32|64)\b|\buint|float(32|64)|map\[|\[\]\w|\bstruct\b|interface \{|reflect|unmarshal|parsing time|invalid character|\b(meeting|agenda|docs|vote|account|presentation|minutes|audit|realtime|web|apperr|time|json|http|app)\.[A-Z]\w*`)

var sweepKinds = map[string]bool{"invalid": true, "unauthenticated": true, "forbidden": true, "not_found": true,
	"conflict": true, "too_large": true, "unsupported_media_type": true, "unprocessable": true, "rate_limited": true,
	"method_not_allowed": true, "request_timeout": true}

// send makes one request as the administrator.
func (w *sweepWorld) send(method string, sc sweepCase) (int, http.Header, []byte, error) {
	var body io.Reader
	if sc.body != nil {
		if sc.chunked {
			body = io.MultiReader(bytes.NewReader(sc.body)) // no length: sent chunked
		} else {
			body = bytes.NewReader(sc.body)
		}
	}
	req, err := http.NewRequest(method, w.s.URL+sc.path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	if sc.ct != "" {
		req.Header.Set("Content-Type", sc.ct)
	}
	req.Header.Set("Authorization", "Bearer "+w.admin.Token)
	for i := 0; i+1 < len(sc.headers); i += 2 {
		req.Header.Set(sc.headers[i], sc.headers[i+1])
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, data, err
}

func TestInputSweep(t *testing.T) {
	start := time.Now()
	w := newSweepWorld(t)
	routes := sweepRoutes(w.s)
	if len(routes) < 50 {
		t.Fatalf("only %d routes found: %v", len(routes), routes)
	}
	// Every spec names a route that exists, so a renamed route is not
	// silently swept with a guessed body.
	for key := range w.specs {
		method, tpl, _ := strings.Cut(key, " ")
		if !slices.Contains(routes, [2]string{method, tpl}) {
			t.Errorf("sweepSpec %q names no route", key)
		}
	}
	type job struct {
		method, tpl string
		sc          sweepCase
	}
	// Requests that must be refused go first; those that may be accepted
	// (and then change the world) after all of them, so that no valid
	// body of a later route has gone stale when its mutations are sent.
	var strict, lenient []job
	for _, r := range routes {
		method, tpl := r[0], r[1]
		spec, ok := w.specs[method+" "+tpl]
		if !ok && method != http.MethodGet && method != http.MethodHead && method != http.MethodDelete {
			spec.body = "{}" // a new unsafe route: assumed to take a JSON object
		}
		for _, sc := range w.cases(method, tpl, spec) {
			inPath := strings.HasPrefix(sc.name, "path ") || strings.HasPrefix(sc.name, "query ")
			if tpl == "/api/v1/auth/logout" && !strings.HasPrefix(sc.name, "query ") {
				continue // would end the sweep's session (logout takes no input to refuse)
			}
			if spec.noBody && !inPath {
				continue
			}
			if reason, ok := spec.accepted[sc.name]; ok && reason != "" {
				sc.mayAccept = true
			}
			if sc.mayAccept {
				lenient = append(lenient, job{method, tpl, sc})
			} else {
				strict = append(strict, job{method, tpl, sc})
			}
		}
	}
	before := w.settle(t)
	for _, j := range append(strict, lenient...) {
		method, tpl, sc := j.method, j.tpl, j.sc
		t.Run(method+" "+tpl+" "+sc.name, func(t *testing.T) {
			status, hdr, body, err := w.send(method, sc)
			if err != nil {
				var ne interface{ Timeout() bool }
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("no answer within %s: %v", sweepClientTimeout, err)
				}
				t.Fatalf("request failed: %v", err)
			}
			var after map[string]string
			if status < 400 {
				after = w.settle(t) // what it announces is written after the answer
			} else {
				after = w.fingerprint(t)
			}
			wrote := diffFingerprint(before, after)
			before = after
			switch {
			case status >= 500:
				t.Errorf("%d, want a 4xx: %.300s", status, body)
			case status < 400 && !sc.mayAccept:
				t.Errorf("%d, want a 4xx: the request cannot be valid: %.300s", status, body)
			}
			if status >= 400 && wrote != "" && !sweepAuditAllowed(tpl, status, wrote) {
				t.Errorf("answered %d but wrote to the database: %s", status, wrote)
			}
			if status >= 400 && method != http.MethodHead {
				msg := checkErrorShape(t, status, hdr, body)
				// One value of a well-formed body is wrong: the message
				// must say which, not call the JSON malformed.
				if strings.HasPrefix(sc.name, "field ") && json.Valid(sc.body) && strings.HasPrefix(msg, "malformed JSON") {
					t.Errorf("%d %q for a well-formed body whose one field is wrong: the message should name the field", status, msg)
				}
			}
		})
	}
	t.Logf("%d routes, %d hostile requests in %s", len(routes), len(strict)+len(lenient), time.Since(start).Round(time.Millisecond))
}

// settle waits until the database stops changing (announcements of an
// accepted request are written after its answer) and returns its
// fingerprint.
func (w *sweepWorld) settle(t *testing.T) map[string]string {
	t.Helper()
	fp := w.fingerprint(t)
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		next := w.fingerprint(t)
		if diffFingerprint(fp, next) == "" {
			return next
		}
		fp = next
	}
	t.Fatalf("the database kept changing for a second after a request")
	return nil
}

// sweepAuditAllowed: a refused sign-in or password change is audited
// (login.failed) by design; that is the only write a refusal may make.
func sweepAuditAllowed(tpl string, status int, wrote string) bool {
	if tpl != "/api/v1/auth/login" && tpl != "/api/v1/auth/password" {
		return false
	}
	return (status == 401 || status == 403 || status == 429) && wrote == "audit_log"
}

func diffFingerprint(a, b map[string]string) string {
	var changed []string
	for k, v := range b {
		if a[k] != v {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	return strings.Join(changed, ", ")
}

// checkErrorShape checks an error answer and returns its message.
func checkErrorShape(t *testing.T, status int, hdr http.Header, body []byte) string {
	t.Helper()
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%d with Content-Type %q, want the JSON error shape: %.300s", status, ct, body)
		return ""
	}
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		t.Errorf("%d body is not {\"error\":{…}}: %.300s", status, body)
		return ""
	}
	if !sweepKinds[e.Error.Code] {
		t.Errorf("%d error code %q is not a client error kind: %.300s", status, e.Error.Code, body)
	}
	if strings.TrimSpace(e.Error.Message) == "" {
		t.Errorf("%d without a message: %s", status, body)
	}
	if n := utf8.RuneCountInString(e.Error.Message); n > sweepMaxMessage {
		t.Errorf("%d message of %d characters (it quotes the input whole?): %.200s…", status, n, e.Error.Message)
	}
	if m := sweepLeak.FindString(e.Error.Message); m != "" {
		t.Errorf("%d message tells internals (%q): %.300s", status, m, e.Error.Message)
	}
	return e.Error.Message
}
