package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// The kinds of annotation, and what their data holds. Coordinates are
// PDF points in the page as displayed: origin at the top-left corner of
// the page's visible box (crop box, the page's own /Rotate applied when it
// is a quarter turn; one that is not a multiple of 90 is ignored, as pdf.js
// ignores it), x to the right, y downwards — a pdf.js viewport at scale 1,
// so a client divides its screen position by its zoom. They must lie on
// their own page (pageBounds), with a point of slack. The same numbers are
// drawn into exported PDFs (docs/pdf.Mark).
const (
	// KindInk: {"colour":"#rrggbb","width":2,"strokes":[[[x,y],[x,y,pressure]…]…]};
	// pressure, optional per point, is from 0 to 1 and scales the width.
	KindInk = pdf.MarkInk
	// KindHighlight: {"colour":"#rrggbb","opacity":0.35,"rects":[{"x","y","w","h"}…]}.
	KindHighlight = pdf.MarkHighlight
	// KindNote: {"colour":"#rrggbb","x":…,"y":…,"text":"…"}; the text is
	// plain text, stored and returned as given, never markup.
	KindNote = pdf.MarkNote
)

// Limits on one annotation's data. The server's 1 MB body limit bounds
// a request as a whole.
const (
	maxStrokes      = 200
	maxStrokePoints = 5000
	maxInkPoints    = 20000
	maxRects        = 200
	maxNoteText     = 4000 // characters
)

// Defaults when the data names no colour or size.
const (
	defaultInk       = "#d32f2f"
	defaultHighlight = "#ffeb3b"
	defaultNote      = "#ffd54f"
	defaultWidth     = 2.0
	defaultOpacity   = 0.35
)

type inkData struct {
	Colour  string        `json:"colour"`
	Width   float64       `json:"width"`
	Strokes [][][]float64 `json:"strokes"`
}

type rect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

type highlightData struct {
	Colour  string  `json:"colour"`
	Opacity float64 `json:"opacity"`
	Rects   []rect  `json:"rects"`
}

type noteData struct {
	Colour string  `json:"colour"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Text   string  `json:"text"`
}

// bounds is the displayed size of one page.
type bounds struct{ w, h float64 }

// unknownBounds is PDF's largest page (14,400 points a side), for a page
// whose size is not known.
var unknownBounds = bounds{14400, 14400}

// pageBounds is the displayed size of each page of a document version, so
// that a mark is checked against its own page. Versions stored since the
// page map was kept (pdf.PageMap, inspected at upload) have every page's
// size. Those stored before have only the summary of their distinct sizes
// (at most 16, the most frequent), and are checked as they were then:
// against the largest width and the largest height of the sizes, or, when
// the summary left sizes out, against PDF's largest page. That never
// refuses a mark such a version took before (a client may be replaying
// one), nor one on a rare large page the summary dropped; re-inspecting
// the file instead would put a PDF worker run, and a write, in the path of
// a pen stroke, for versions a new upload replaces anyway.
type pageBounds struct {
	pages pdf.PageMap // every page's size; unknown for versions stored before
	whole bounds      // for those: no page of the version is larger
}

// versionBounds reads the page sizes stored with a version.
func versionBounds(v versionRow) pageBounds {
	var pb pageBounds
	if v.PageMap != "" && pb.pages.UnmarshalText([]byte(v.PageMap)) == nil && pb.pages.Pages() == v.Pages {
		return pb
	}
	pb.pages = pdf.PageMap{}
	var sizes []pdf.PageSize
	_ = json.Unmarshal([]byte(v.PageSizes), &sizes)
	pb.whole = boundsOf(sizes, v.Pages)
	return pb
}

// page returns the size of page n (from 1).
func (pb pageBounds) page(n int) bounds {
	if w, h, ok := pb.pages.Size(n); ok {
		return bounds{w, h}
	}
	return pb.whole
}

// boundsOf is the lenient bounds of a version of pages pages stored with
// the summary of its sizes only: the largest width and height, or PDF's
// largest page when the summary does not account for every page (its
// rare sizes were dropped) or holds nothing.
func boundsOf(sizes []pdf.PageSize, pages int) bounds {
	var b bounds
	counted := 0
	for _, s := range sizes {
		b.w, b.h = max(b.w, s.W), max(b.h, s.H)
		counted += s.Count
	}
	if b.w == 0 || b.h == 0 || counted < pages {
		return unknownBounds
	}
	return b
}

// slack forgives a pen that runs a hair over the page edge.
const slack = 1.0

func (b bounds) point(x, y float64) bool {
	return x >= -slack && y >= -slack && x <= b.w+slack && y <= b.h+slack
}

var colourPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func checkColour(c *string, def string) error {
	if *c == "" {
		*c = def
	}
	if !colourPattern.MatchString(*c) {
		return apperr.Invalidf("data.colour must be #rrggbb")
	}
	*c = strings.ToLower(*c)
	return nil
}

// round keeps 1/100 point: finer than any screen, and half the bytes.
func round(f float64) float64 { return math.Round(f*100) / 100 }

// decodeStrict decodes raw (named what, for messages) into v as web.Bind
// decodes a request body: unknown fields and trailing data are refused,
// and a failure names the JSON field and the JSON type expected, never
// the Go types it decodes into.
func decodeStrict(raw json.RawMessage, v any, what string) error {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return apperr.Invalidf("%s is required", what)
	}
	return web.DecodeJSON(raw, v, what)
}

// cleanData checks an annotation's data for its kind against the page
// bounds and returns it normalised (defaults filled in, coordinates
// rounded), so equal marks are stored as equal bytes.
func cleanData(kind string, raw json.RawMessage, b bounds) (json.RawMessage, error) {
	var v any
	var err error
	switch kind {
	case KindInk:
		v, err = cleanInk(raw, b)
	case KindHighlight:
		v, err = cleanHighlight(raw, b)
	case KindNote:
		v, err = cleanNote(raw, b)
	default:
		return nil, apperr.Invalidf("kind must be ink, highlight or note, not %s", web.Quote(kind))
	}
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	return out, internal(err)
}

func cleanInk(raw json.RawMessage, b bounds) (inkData, error) {
	var d inkData
	if err := decodeStrict(raw, &d, "the data of an ink annotation"); err != nil {
		return d, err
	}
	if err := checkColour(&d.Colour, defaultInk); err != nil {
		return d, err
	}
	if d.Width == 0 {
		d.Width = defaultWidth
	}
	if d.Width < 0.1 || d.Width > 50 {
		return d, apperr.Invalidf("data.width must be from 0.1 to 50 points")
	}
	if len(d.Strokes) == 0 || len(d.Strokes) > maxStrokes {
		return d, apperr.Invalidf("data.strokes: give 1 to %d strokes", maxStrokes)
	}
	total := 0
	for i, s := range d.Strokes {
		if len(s) == 0 || len(s) > maxStrokePoints {
			return d, apperr.Invalidf("data.strokes[%d]: give 1 to %d points", i, maxStrokePoints)
		}
		if total += len(s); total > maxInkPoints {
			return d, apperr.Invalidf("data.strokes: at most %d points in all", maxInkPoints)
		}
		for j, p := range s {
			if err := cleanPoint(p, b); err != nil {
				return d, apperr.Invalidf("data.strokes[%d][%d]: %s", i, j, apperr.Public(err))
			}
		}
	}
	return d, nil
}

// cleanPoint checks [x, y] or [x, y, pressure] and rounds it in place.
func cleanPoint(p []float64, b bounds) error {
	if len(p) != 2 && len(p) != 3 {
		return apperr.Invalidf("a point is [x, y] or [x, y, pressure]")
	}
	if !b.point(p[0], p[1]) {
		return apperr.Invalidf("(%g, %g) is outside the page (%g × %g points)", p[0], p[1], b.w, b.h)
	}
	if len(p) == 3 && (p[2] < 0 || p[2] > 1) {
		return apperr.Invalidf("pressure must be from 0 to 1")
	}
	for k := range p {
		p[k] = round(p[k])
	}
	return nil
}

func cleanHighlight(raw json.RawMessage, b bounds) (highlightData, error) {
	var d highlightData
	if err := decodeStrict(raw, &d, "the data of a highlight"); err != nil {
		return d, err
	}
	if err := checkColour(&d.Colour, defaultHighlight); err != nil {
		return d, err
	}
	if d.Opacity == 0 {
		d.Opacity = defaultOpacity
	}
	if d.Opacity < 0.05 || d.Opacity > 1 {
		return d, apperr.Invalidf("data.opacity must be from 0.05 to 1")
	}
	if len(d.Rects) == 0 || len(d.Rects) > maxRects {
		return d, apperr.Invalidf("data.rects: give 1 to %d rectangles", maxRects)
	}
	for i, r := range d.Rects {
		if r.W <= 0 || r.H <= 0 || !b.point(r.X, r.Y) || !b.point(r.X+r.W, r.Y+r.H) {
			return d, apperr.Invalidf("data.rects[%d]: a rectangle needs a size and must lie on the page (%g × %g points)", i, b.w, b.h)
		}
		d.Rects[i] = rect{round(r.X), round(r.Y), round(r.W), round(r.H)}
	}
	return d, nil
}

func cleanNote(raw json.RawMessage, b bounds) (noteData, error) {
	var d noteData
	if err := decodeStrict(raw, &d, "the data of a note"); err != nil {
		return d, err
	}
	if err := checkColour(&d.Colour, defaultNote); err != nil {
		return d, err
	}
	if !b.point(d.X, d.Y) {
		return d, apperr.Invalidf("data: (%g, %g) is outside the page (%g × %g points)", d.X, d.Y, b.w, b.h)
	}
	d.X, d.Y = round(d.X), round(d.Y)
	if strings.TrimSpace(d.Text) == "" {
		return d, apperr.Invalidf("data.text: a note needs text")
	}
	if n := utf8.RuneCountInString(d.Text); n > maxNoteText {
		return d, apperr.Invalidf("data.text: at most %d characters (this one has %d)", maxNoteText, n)
	}
	if strings.ContainsRune(d.Text, 0) {
		return d, apperr.Invalidf("data.text: no NUL characters")
	}
	return d, nil
}

// mark turns stored data into what the PDF worker draws.
func mark(page int, kind string, data []byte) (pdf.Mark, error) {
	m := pdf.Mark{Page: page, Kind: kind}
	var err error
	switch kind {
	case KindInk:
		var d inkData
		err = json.Unmarshal(data, &d)
		m.Colour, m.Width = d.Colour, d.Width
		for _, s := range d.Strokes {
			stroke := make([]pdf.Point, len(s))
			for i, p := range s {
				stroke[i] = pdf.Point{X: p[0], Y: p[1]}
				if len(p) == 3 {
					stroke[i].P = p[2]
				}
			}
			m.Strokes = append(m.Strokes, stroke)
		}
	case KindHighlight:
		var d highlightData
		err = json.Unmarshal(data, &d)
		m.Colour, m.Opacity = d.Colour, d.Opacity
		for _, r := range d.Rects {
			m.Rects = append(m.Rects, pdf.Rect{X: r.X, Y: r.Y, W: r.W, H: r.H})
		}
	case KindNote:
		var d noteData
		err = json.Unmarshal(data, &d)
		m.Colour, m.At, m.Text = d.Colour, pdf.Point{X: d.X, Y: d.Y}, d.Text
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	return m, err
}
