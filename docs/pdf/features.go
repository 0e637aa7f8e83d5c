package pdf

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

const (
	// maxScanObjects bounds the feature scan; the worker's deadline is the
	// real bound, this keeps the in-process fuzz test finite as well.
	maxScanObjects = 1 << 21
	// maxTextLen caps Title and Author, in characters.
	maxTextLen = 500
)

// features are the active or risky contents a meeting document should not
// normally have.
type features struct {
	javaScript, launch, embedded bool
}

// scanFeatures visits every object reachable from the catalog (pages,
// annotations, form fields, name trees, outlines, actions and their /Next
// chains) instead of probing a list of known places: hostile files hide
// actions in the places a list forgets. Unreachable objects are ignored,
// as viewers never run them.
func scanFeatures(xt *model.XRefTable, catalog types.Dict) features {
	var f features
	seen := map[int]bool{}
	stack := []types.Object{catalog}
	for steps := 0; len(stack) > 0 && steps < maxScanObjects; steps++ {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch v := o.(type) {
		case types.IndirectRef:
			nr := v.ObjectNumber.Value()
			if seen[nr] {
				continue
			}
			seen[nr] = true
			if d, err := xt.Dereference(v); err == nil && d != nil {
				stack = append(stack, d)
			}
		case types.Dict:
			f.note(v)
			stack = appendValues(stack, v)
		case types.StreamDict:
			f.note(v.Dict)
			stack = appendValues(stack, v.Dict)
		case types.Array:
			stack = append(stack, v...)
		}
	}
	return f
}

func appendValues(stack []types.Object, d types.Dict) []types.Object {
	for _, v := range d {
		stack = append(stack, v)
	}
	return stack
}

// note records what one dictionary reveals. Names are compared decoded,
// so "/J#53" cannot hide "/JS".
func (f *features) note(d types.Dict) {
	switch nameEntry(d, "S") {
	case "JavaScript":
		f.javaScript = true
	case "Launch":
		f.launch = true
	}
	if d.HasEntry("JS") || d.HasEntry("JavaScript") {
		f.javaScript = true // action with script, or the names tree of document scripts
	}
	if d.HasEntry("EmbeddedFiles") || d.HasEntry("EF") || nameEntry(d, "Type") == "EmbeddedFile" {
		f.embedded = true
	}
}

// docInfo returns the cleaned Title and Author from the Info dictionary.
func docInfo(xt *model.XRefTable) (title, author string) {
	if xt.Info == nil {
		return "", ""
	}
	d, err := xt.DereferenceDict(*xt.Info)
	if err != nil || d == nil {
		return "", ""
	}
	return infoText(xt, d, "Title"), infoText(xt, d, "Author")
}

func infoText(xt *model.XRefTable, d types.Dict, key string) string {
	o, ok := d.Find(key)
	if !ok {
		return ""
	}
	s, err := xt.DereferenceText(o)
	if err != nil {
		return ""
	}
	return cleanText(s)
}

// cleanText makes document metadata safe to store and display: valid
// UTF-8, no control characters, trimmed, at most maxTextLen characters.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxTextLen {
		s = strings.TrimSpace(string([]rune(s)[:maxTextLen]))
	}
	return s
}
