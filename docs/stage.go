package docs

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
)

// Staged is an upload written to a temporary file and hashed, waiting to
// be inspected and stored. Remove it when done; it is idempotent.
type Staged struct {
	Path     string
	Size     int64
	SHA256   string
	Filename string
}

// Remove deletes the temporary file, if it is still there.
func (s *Staged) Remove() {
	if s != nil && s.Path != "" {
		_ = os.Remove(s.Path)
	}
}

// sniffLen is how much of the head is checked for a PDF signature.
const sniffLen = 1024

// Stage streams r to a temporary file in the data directory, hashing it on
// the way, never holding it whole in memory. More than limit bytes is
// TooLarge; content that is not a PDF is Unsupported. On error nothing is
// left behind.
func (s *Service) Stage(r io.Reader, filename string) (*Staged, error) {
	br := bufio.NewReaderSize(clientReader{r}, 64<<10)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, stageError(err)
	}
	if len(head) == 0 {
		return nil, apperr.Invalidf("the file is empty")
	}
	if !pdf.Sniff(head) {
		return nil, apperr.New(apperr.Unsupported, "the file is not a PDF (its content does not start like one)").WithReason(string(pdf.KindNotPDF))
	}
	if err := os.MkdirAll(s.tmpDir, 0o750); err != nil {
		return nil, apperr.Internalf(err, "create temp dir")
	}
	f, err := os.CreateTemp(s.tmpDir, "upload-*.pdf")
	if err != nil {
		return nil, apperr.Internalf(err, "create temp file")
	}
	st := &Staged{Path: f.Name(), Filename: cleanFilename(filename)}
	h := sha256.New()
	// One pass: each block is hashed and written as it arrives.
	buf := make([]byte, 1<<20)
	n, err := io.CopyBuffer(io.MultiWriter(f, h), io.LimitReader(br, s.maxUpload+1), buf)
	switch {
	case err != nil:
		f.Close()
		st.Remove()
		return nil, stageError(err)
	case n > s.maxUpload:
		f.Close()
		st.Remove()
		return nil, tooLarge(s.maxUpload)
	}
	st.Size, st.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	// The blob must be on disk before a row points to it (FileBlobs.Put
	// syncs it). Flushing starts now, while the PDF worker inspects the
	// file, so that the sync before the commit finds little left to write.
	go func() {
		_ = f.Sync()
		f.Close()
	}()
	return st, nil
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the file is larger than the limit of %d MB", limit>>20)
}

// clientReader marks errors that come from reading the request, so they
// are told apart from errors writing the disk.
type clientReader struct{ r io.Reader }

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }
func (e readError) Unwrap() error { return e.err }

func (c clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = readError{err}
	}
	return n, err
}

// stageError classifies a failure while receiving an upload: too large,
// a broken or cut-off body (the client's), or a server fault.
func stageError(err error) error {
	var mbe *http.MaxBytesError
	var re readError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(err, &re):
		return apperr.Invalidf("the upload was cut off or is not well-formed multipart")
	}
	return apperr.Internalf(err, "stage upload")
}

// cleanFilename keeps the base name of what the client called the file,
// for the download name only; it never names anything on disk.
func cleanFilename(name string) string {
	// Text any database can store and a header can carry: no control
	// characters (NUL among them), bytes that are not UTF-8 replaced.
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
	name = filepath.Base(filepath.Clean("/" + strings.ReplaceAll(name, `\`, "/")))
	if name == "/" || name == "." {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}
