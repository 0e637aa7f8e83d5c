package docs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Blobs stores PDF bytes by their SHA-256, so the same file uploaded twice
// is kept once. The filesystem implementation below is the default; an
// S3-compatible store can take its place. Methods are safe for concurrent
// use; errors other than ErrNoBlob are I/O failures.
type Blobs interface {
	// Put moves the local file at src into the store under sum. When the
	// blob exists already, src is removed and the stored copy is kept.
	Put(ctx context.Context, sum, src string) error
	// Open returns the blob for reading and seeking, and its size.
	Open(ctx context.Context, sum string) (Blob, error)
	// Local returns a path of a local copy of the blob for the PDF worker
	// and a function to call when done with it.
	Local(ctx context.Context, sum string) (path string, done func(), err error)
	// Delete removes the blob; a missing blob is not an error.
	Delete(ctx context.Context, sum string) error
}

// Blob is an open stored file.
type Blob interface {
	io.ReadSeekCloser
	Size() int64
}

// ErrNoBlob means the store has no blob under that sum.
var ErrNoBlob = errors.New("blob not found")

var sumPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FileBlobs keeps blobs under a directory as ab/abcdef….pdf.
type FileBlobs struct {
	Dir string
}

func (f FileBlobs) path(sum string) (string, error) {
	if !sumPattern.MatchString(sum) {
		return "", fmt.Errorf("bad blob name %q", sum)
	}
	return filepath.Join(f.Dir, sum[:2], sum+".pdf"), nil
}

// Put implements Blobs. The rename is atomic, so a reader never sees half
// a blob.
func (f FileBlobs) Put(_ context.Context, sum, src string) error {
	dst, err := f.path(sum)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if err := syncFile(src); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return syncFile(filepath.Dir(dst)) // the new name is durable too
}

type fileBlob struct {
	*os.File
	size int64
}

func (b fileBlob) Size() int64 { return b.size }

// Open implements Blobs.
func (f FileBlobs) Open(_ context.Context, sum string) (Blob, error) {
	p, err := f.path(sum)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoBlob
	}
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	return fileBlob{File: fh, size: st.Size()}, nil
}

// Local implements Blobs: the stored file itself.
func (f FileBlobs) Local(_ context.Context, sum string) (string, func(), error) {
	p, err := f.path(sum)
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(p); err != nil {
		return "", nil, ErrNoBlob
	}
	return p, func() {}, nil
}

// Delete implements Blobs.
func (f FileBlobs) Delete(_ context.Context, sum string) error {
	p, err := f.path(sum)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func syncFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	return fh.Sync()
}
