package realtime

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/curia/curia/internal/event"
)

// frame is one message encoded once: the same bytes, websocket framing
// included, go to every recipient.
type frame struct {
	wire []byte    // a final, unmasked text frame: header and payload
	size int       // of the payload
	at   time.Time // when it was published, for the fan-out latency metric
}

func newFrame(b []byte, at time.Time) *frame {
	return &frame{wire: wireFrame(b), size: len(b), at: at}
}

// wireFrame frames payload as one final text message from a server
// (RFC 6455 §5.2: servers do not mask; no extensions are negotiated).
func wireFrame(payload []byte) []byte {
	n := len(payload)
	var out []byte
	switch {
	case n < 126:
		out = append(make([]byte, 0, 2+n), 0x81, byte(n))
	case n <= 0xffff:
		out = append(make([]byte, 0, 4+n), 0x81, 126, byte(n>>8), byte(n))
	default:
		out = make([]byte, 10, 10+n)
		out[0], out[1] = 0x81, 127
		binary.BigEndian.PutUint64(out[2:], uint64(n))
	}
	return append(out, payload...)
}

// newControlFrame frames a control message (a pong): at most 125 bytes
// of payload, which gorilla enforces on the ping it answers.
func newControlFrame(op int, payload []byte) *frame {
	payload = payload[:min(len(payload), 125)]
	wire := append([]byte{0x80 | byte(op), byte(len(payload))}, payload...)
	return &frame{wire: wire, size: len(payload)}
}

// entry is one sequenced event as a room keeps it for fan-out and replay.
type entry struct {
	seq      int64
	audience []string // nil: everyone
	exclude  []string
	// allowed is audience as a set when it is long (the readers of a
	// confidential document in a room of hundreds): fan-out asks about
	// every member.
	allowed map[string]struct{}
	full    *frame // {"seq","type","data"}
	skip    *frame // {"seq","type":"skip"}, for those who may not see it
	typ     string
	data    json.RawMessage // the end of full's bytes, for Options.Replay
}

// setAbove is the audience length from which an entry looks users up in
// a set rather than the list.
const setAbove = 16

func newEntry(rec record) *entry {
	e := &entry{seq: rec.Seq, audience: rec.Audience, exclude: rec.Exclude, typ: rec.Type}
	e.full = newFrame(encodeEvent(rec.Seq, rec.Type, rec.Data), rec.At)
	if n := len(rec.Data); n > 0 { // the payload ends with data and '}': share the bytes
		w := e.full.wire
		e.data = json.RawMessage(w[len(w)-1-n : len(w)-1 : len(w)-1])
	}
	if rec.Audience != nil || len(rec.Exclude) > 0 {
		e.skip = newFrame(encodeEvent(rec.Seq, "skip", nil), rec.At)
	}
	if len(rec.Audience) > setAbove {
		e.allowed = make(map[string]struct{}, len(rec.Audience))
		for _, u := range rec.Audience {
			e.allowed[u] = struct{}{}
		}
	}
	return e
}

// size estimates the memory e holds.
func (e *entry) size() int {
	n := len(e.full.wire)
	if e.skip != nil {
		n += len(e.skip.wire)
	}
	return n
}

// frameFor returns what user may receive of e: the event, or a skip that
// keeps the user's sequence contiguous (the rule of event.Event.Visible).
func (e *entry) frameFor(user string) *frame {
	if e.skip == nil {
		return e.full
	}
	if e.allowed != nil {
		if _, ok := e.allowed[user]; !ok {
			return e.skip
		}
		if slices.Contains(e.exclude, user) {
			return e.skip
		}
		return e.full
	}
	if (event.Event{Audience: e.audience, Exclude: e.exclude}).Visible(user) {
		return e.full
	}
	return e.skip
}

// encodeEvent builds {"seq":N,"type":T,"data":D} without re-encoding data,
// which is already JSON. seq 0 and nil data are left out.
func encodeEvent(seq int64, typ string, data json.RawMessage) []byte {
	b := make([]byte, 0, len(data)+len(typ)+40)
	b = append(b, '{')
	if seq > 0 {
		b = append(b, `"seq":`...)
		b = strconv.AppendInt(b, seq, 10)
		b = append(b, ',')
	}
	b = append(b, `"type":`...)
	q, _ := json.Marshal(typ) // a string always marshals
	b = append(b, q...)
	if data != nil {
		b = append(b, `,"data":`...)
		b = append(b, data...)
	}
	return append(b, '}')
}

// encodeMessage marshals data and wraps it as an ephemeral message.
func encodeMessage(typ string, data any) ([]byte, error) {
	if data == nil {
		return encodeEvent(0, typ, nil), nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return encodeEvent(0, typ, raw), nil
}

// validType reports whether typ may name a message: short, and made of
// the characters of "presentation.changed" or "poll_opened".
func validType(typ string) bool {
	if typ == "" || len(typ) > 64 {
		return false
	}
	for _, c := range typ {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// errorData is the body of an error message to a client.
type errorData struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
