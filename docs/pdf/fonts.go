package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/font"
)

// pdfcpu embeds only fonts installed in its user font directory, a
// process-wide setting, and installing one (parsing the TrueType file,
// writing and reloading its metrics) costs more than the rest of a stamp.
// A worker therefore installs its fonts once, in a directory of its own
// that it keeps for its whole life: the directory lies under the worker's
// private TMPDIR, which the Runner removes when the worker is gone,
// however it ended. In-process callers (tests) get a directory per call.
//
// The fonts are Curia's, never a document's, so a long-lived worker
// carries nothing from one document to the next through them.
var fonts struct {
	mu      sync.Mutex
	serving bool              // inside ServeWorker: keep one directory for the process
	shared  string            // that directory, once made
	dir     string            // the directory pdfcpu was last pointed at
	names   map[string]string // font file -> PostScript name, installed in dir
}

// inWorker reports whether this process is serving worker requests
// (inside ServeWorker), rather than a test calling in-process.
func inWorker() bool {
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	return fonts.serving
}

// fontDir returns a directory to install fonts into and a function to
// call when the caller is done with it (after writing: pdfcpu reads the
// font file again to embed it).
func fontDir() (string, func(), error) {
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	if fonts.serving {
		if fonts.shared == "" {
			dir, err := os.MkdirTemp("", "curia-pdf-fonts-")
			if err != nil {
				return "", nil, newError(KindInternal, reasonInternal, "font directory: "+err.Error())
			}
			fonts.shared = dir
		}
		return fonts.shared, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "curia-pdf-fonts-")
	if err != nil {
		return "", nil, newError(KindInternal, reasonInternal, "font directory: "+err.Error())
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// servingFonts switches to one font directory for the process (on) or
// removes it and goes back to a directory per call (off, when ServeWorker
// returns).
func servingFonts(on bool) {
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	fonts.serving = on
	if !on && fonts.shared != "" {
		os.RemoveAll(fonts.shared)
		fonts.shared = ""
	}
	if !on {
		lastRead.forget()
	}
}

// installUnicodeFont installs the first available font of fontFiles into
// dir, points pdfcpu at dir, and returns the font's PostScript name.
func installUnicodeFont(dir string, fontFiles []string) (string, error) {
	for _, f := range fontFiles {
		if name, err := installFont(dir, f); err == nil {
			return name, nil
		}
	}
	return "", errors.New("no Unicode TrueType font installed")
}

// installFont installs the TrueType font file into dir, unless it is
// there already, and points pdfcpu at dir.
func installFont(dir, file string) (string, error) {
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	if fonts.dir != dir || font.UserFontDir != dir {
		fonts.dir, fonts.names = dir, map[string]string{}
	}
	if name, ok := fonts.names[file]; ok {
		return name, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	if trimmed, err := trimFont(data); err == nil {
		data = trimmed
	}
	tmp := filepath.Join(dir, filepath.Base(file))
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", err
	}
	rep, err := font.InstallTrueTypeFont(dir, tmp)
	os.Remove(tmp) // pdfcpu keeps its own copy, with the metrics
	if err != nil {
		return "", err
	}
	if len(rep.Fonts) == 0 {
		return "", fmt.Errorf("no font in %s", file)
	}
	font.UserFontDir = dir
	if err := font.ReloadUserFonts(); err != nil {
		return "", err
	}
	name := rep.Fonts[0].PostScriptName
	fonts.names[file] = name
	return name, nil
}

// fontTables are the TrueType tables a stamp, a note or a heading needs:
// outlines, metrics, the character map, names and hinting. The rest of a
// font like DejaVu Sans (OpenType layout, kerning, glyph names, math: a
// third of its size once the outlines are subset) is never used by
// pdfcpu's text, yet it is copied, compressed and embedded with every
// subset; trimFont leaves it out.
var fontTables = []string{"OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post", "prep"}

// trimFont returns the TrueType font data with only fontTables, and its
// "post" table cut to format 3 (no glyph names). Glyph numbers and
// metrics are unchanged.
func trimFont(data []byte) ([]byte, error) {
	if len(data) < 12 {
		return nil, errors.New("font too short")
	}
	version := binary.BigEndian.Uint32(data)
	if version != 0x00010000 && version != 0x74727565 { // TrueType outlines
		return nil, errors.New("not a TrueType font")
	}
	type tab struct {
		tag  string
		body []byte
	}
	var tabs []tab
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("font table directory truncated")
		}
		tag := string(data[rec : rec+4])
		off := int64(binary.BigEndian.Uint32(data[rec+8:]))
		length := int64(binary.BigEndian.Uint32(data[rec+12:]))
		if off+length > int64(len(data)) {
			return nil, fmt.Errorf("font table %q truncated", tag)
		}
		if !slices.Contains(fontTables, tag) {
			continue
		}
		body := slices.Clone(data[off : off+length])
		switch tag {
		case "post":
			if len(body) < 32 {
				return nil, errors.New("font post table too short")
			}
			body = body[:32]
			binary.BigEndian.PutUint32(body, 0x00030000)
		case "head":
			if len(body) < 54 {
				return nil, errors.New("font head table too short")
			}
			binary.BigEndian.PutUint32(body[8:], 0) // checkSumAdjustment, set below
		}
		tabs = append(tabs, tab{tag, body})
	}
	for _, req := range []string{"OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"} {
		if !slices.ContainsFunc(tabs, func(t tab) bool { return t.tag == req }) {
			return nil, fmt.Errorf("font lacks its %q table", req)
		}
	}
	slices.SortFunc(tabs, func(a, b tab) int { return strings.Compare(a.tag, b.tag) })
	// The offset table and directory, then each table padded to 4 bytes.
	var es uint16
	for 1<<(es+1) <= len(tabs) {
		es++
	}
	out := make([]byte, 12+16*len(tabs))
	binary.BigEndian.PutUint32(out, version)
	binary.BigEndian.PutUint16(out[4:], uint16(len(tabs)))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<es))
	binary.BigEndian.PutUint16(out[8:], es)
	binary.BigEndian.PutUint16(out[10:], uint16(16*len(tabs)-16<<es))
	headAt := 0
	for i, t := range tabs {
		rec := 12 + 16*i
		copy(out[rec:], t.tag)
		binary.BigEndian.PutUint32(out[rec+4:], tableChecksum(t.body))
		binary.BigEndian.PutUint32(out[rec+8:], uint32(len(out)))
		binary.BigEndian.PutUint32(out[rec+12:], uint32(len(t.body)))
		if t.tag == "head" {
			headAt = len(out)
		}
		out = append(out, t.body...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-tableChecksum(out))
	return out, nil
}

// tableChecksum is the TrueType checksum: the sum of big-endian uint32s,
// the last one zero-padded.
func tableChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
