package pdf

import (
	"encoding/binary"
	"os"
	"slices"
	"testing"
)

// TestTrimFont: the trimmed font keeps only fontTables, with valid
// checksums, and pdfcpu installs it under the same name.
func TestTrimFont(t *testing.T) {
	var file string
	for _, f := range unicodeFontFiles() {
		if _, err := os.Stat(f); err == nil {
			file = f
			break
		}
	}
	if file == "" {
		t.Skip("no Unicode TrueType font installed")
	}
	data := mustRead(t, file)
	trimmed, err := trimFont(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(trimmed) >= len(data) {
		t.Errorf("trimmed %d bytes, from %d", len(trimmed), len(data))
	}
	if sum := tableChecksum(trimmed); sum != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", sum)
	}
	n := int(binary.BigEndian.Uint16(trimmed[4:]))
	var tags []string
	for i := range n {
		rec := trimmed[12+16*i:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		body := trimmed[off : off+length]
		if tag == "head" {
			body = slices.Clone(body)
			binary.BigEndian.PutUint32(body[8:], 0)
		}
		if got, want := tableChecksum(body), binary.BigEndian.Uint32(rec[4:]); got != want {
			t.Errorf("table %q checksum %#x, directory says %#x", tag, got, want)
		}
		if !slices.Contains(fontTables, tag) {
			t.Errorf("table %q kept", tag)
		}
		if tag == "post" && (length != 32 || binary.BigEndian.Uint32(body) != 0x00030000) {
			t.Errorf("post table: %d bytes, version %#x", length, binary.BigEndian.Uint32(body))
		}
		tags = append(tags, tag)
	}
	if !slices.IsSorted(tags) {
		t.Errorf("tables not sorted: %v", tags)
	}
	name, err := installFont(t.TempDir(), file)
	if err != nil || name == "" {
		t.Fatalf("install trimmed font: %q, %v", name, err)
	}
	if _, err := trimFont(data[:100]); err == nil {
		t.Error("a truncated font was trimmed")
	}
}
