package pdf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// The worker protocol: JSON lines. The parent writes a request as one
// line to the worker's stdin; the worker answers each with one line on
// stdout that starts with responseMark and carries the request's ID, and
// reads the next request, until stdin ends. Inputs and outputs are file
// paths, so no document bytes travel over the pipes. The parent ignores
// every stdout line without the mark (a library printing to stdout), and
// stderr is only kept for logs, so stray output cannot break the framing.
//
// A one-shot worker gets one request and then the end of its stdin, so
// it answers once and exits; a long-lived worker (Runner's pool) gets
// requests one at a time for as long as the parent keeps it.

// responseMark starts every response line.
const responseMark = "curia-pdf-response "

// maxRequestBytes bounds what the worker reads from stdin.
const maxRequestBytes = 1 << 20

// request is the one message sent to the worker.
type request struct {
	ID       uint64          `json:"id,omitempty"` // echoed in the response
	Op       string          `json:"op"`
	Path     string          `json:"path,omitempty"`      // input file
	MemLimit int64           `json:"mem_limit,omitempty"` // bytes; applied with debug.SetMemoryLimit
	Args     json.RawMessage `json:"args,omitempty"`      // op-specific arguments
}

// response is the one message the worker sends back: either a result or
// an error.
type response struct {
	ID     uint64          `json:"id,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *wireError      `json:"error,omitempty"`
}

// wireError is an *Error as it crosses the protocol, Detail included.
// Error itself hides Detail from JSON, so that a handler serialising an
// *Error cannot leak it to a user.
type wireError struct {
	Kind   Kind   `json:"kind"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

func failure(e *Error) response {
	return response{Error: &wireError{Kind: e.Kind, Reason: e.Reason, Detail: e.Detail}}
}

func (w *wireError) toError() *Error {
	return &Error{Kind: w.Kind, Reason: w.Reason, Detail: w.Detail}
}

// opFunc implements one operation inside the worker. It may panic: the
// dispatcher recovers and reports Unreadable.
type opFunc func(ctx context.Context, req request) (any, error)

// defaultOps is the operation table of the production worker. To add an
// operation: write an opFunc, add it here, and add a Runner method that
// calls r.call with the op's name.
func defaultOps() map[string]opFunc {
	return map[string]opFunc{
		"inspect":   opInspect,
		"watermark": opWatermark,
		"create":    opCreate,
		"annotate":  opAnnotate,
		"warm":      opWarm,
	}
}

// ServeWorker is the body of the hidden `curia pdf-worker` subcommand: it
// reads requests from stdin, one JSON line each, performs them one at a
// time and writes one response line for each to stdout, until stdin ends.
// Failures of the document are reported in the response, so the returned
// error only says that stdin or stdout failed or a request could not be
// decoded; the caller then exits non-zero. Panics in the operation are
// recovered into an Unreadable response; a panic that escapes (e.g. on
// another goroutine) kills the process, which the Runner also reports as
// Unreadable.
//
// What a long-lived worker carries from one request to the next is its
// fonts (Curia's, fonts.go) and, for the next reader's copy of the same
// unchanged file, the document it last stamped (lastRead, watermark.go);
// only documents the server has already accepted reach such a worker.
func ServeWorker(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	return serveWorker(ctx, stdin, stdout, defaultOps())
}

func serveWorker(ctx context.Context, stdin io.Reader, stdout io.Writer, ops map[string]opFunc) error {
	tmark("main")
	servingFonts(true)
	defer servingFonts(false)
	in := bufio.NewReaderSize(stdin, 64<<10)
	for {
		line, err := readRequest(in)
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return nil // the parent is done with this worker
		}
		var req request
		if err == nil || errors.Is(err, io.EOF) {
			err = json.Unmarshal(line, &req)
		}
		if err != nil {
			// The stream cannot be trusted any more: answer and stop.
			werr := writeResponse(stdout, failure(newError(KindInternal, reasonInternal, "decode request: "+err.Error())))
			return errors.Join(err, werr)
		}
		tmark("request")
		if req.MemLimit > 0 {
			// GOMEMLIMIT from the Runner already does this from process
			// start; repeating it keeps a worker started by hand (or by an
			// older parent) within the limit it was asked to respect.
			debug.SetMemoryLimit(req.MemLimit)
		}
		res := dispatch(ctx, ops, req)
		res.ID = req.ID
		if err := writeResponse(stdout, res); err != nil {
			return err
		}
		tmark("response")
	}
}

// readRequest reads one request line (a final line without a newline
// included), at most maxRequestBytes long.
func readRequest(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > maxRequestBytes {
			return nil, errors.New("request too long")
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		line = bytes.TrimSpace(line)
		if err == nil && len(line) == 0 {
			continue // a blank line
		}
		return line, err
	}
}

// dispatch runs one operation and turns its outcome, including a panic,
// into a response.
func dispatch(ctx context.Context, ops map[string]opFunc, req request) (res response) {
	defer func() {
		if r := recover(); r != nil {
			res = failure(newError(KindUnreadable, reasonCrashed, fmt.Sprintf("op %q panicked: %v", req.Op, r)))
		}
	}()
	op, ok := ops[req.Op]
	if !ok {
		return failure(newError(KindInternal, reasonInternal, fmt.Sprintf("unknown op %q", req.Op)))
	}
	v, err := op(ctx, req)
	if err != nil {
		return failure(asError(err))
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return failure(newError(KindInternal, reasonInternal, "encode result: "+err.Error()))
	}
	return response{Result: raw}
}

// asError makes sure only *Error crosses the protocol. An op that returns
// a plain error has met something it did not classify: report the file
// as unreadable, with the text kept for logs.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(KindUnreadable, reasonDamaged, err.Error())
}

// writeResponse writes the response as one line that starts with
// responseMark, preceded by a newline so that it starts a fresh line even
// if a library printed to stdout without ending its line.
func writeResponse(w io.Writer, res response) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteByte('\n')
	bw.WriteString(responseMark)
	bw.Write(raw)
	bw.WriteByte('\n')
	return bw.Flush()
}

func opInspect(ctx context.Context, req request) (any, error) {
	return inspectFile(ctx, req.Path)
}
