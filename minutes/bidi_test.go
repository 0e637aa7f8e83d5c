package minutes

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// TestHTMLIsolatesEveryUserText: minutes whose texts were stored before
// the input refused text-direction controls (each of them here ends in
// U+202E RIGHT-TO-LEFT OVERRIDE, or holds another bidi control) print
// each such text whole inside its own <bdi>, one per name of a list, so
// that it reorders nothing the page prints after it; the page's <title>,
// which cannot hold a <bdi>, has the title without its controls. The text
// inside the <bdi> is as stored.
func TestHTMLIsolatesEveryUserText(t *testing.T) {
	const rlo = "\u202e"
	at := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	poll := Poll{ID: "p", Title: "Bầu tổ trưởng" + rlo, Kind: vote.Choice, Status: vote.Published,
		Options: []Option{{ID: "a", Label: "Ông A" + rlo}, {ID: "b", Label: "Bà B\u2067"}},
		Results: []Result{{Option: "a", Label: "Ông A" + rlo, Votes: 2, Weight: 2}, {Option: "b", Label: "Bà B\u2067", Votes: 2, Weight: 2}},
		Outcome: vote.Tie, Elected: []string{"a"}, Tied: []string{"a", "b"},
		Votes: []Vote{{FullName: "Trần C" + rlo, Options: []string{"a", "b"}, Weight: 1}}}
	m := Minutes{GeneratedAt: at, Draft: true,
		Meeting: MeetingInfo{ID: "m", Title: "Kỳ họp" + rlo, Status: meeting.Live, StartsAt: &at, Location: "Hội trường\u200f"},
		Chairs:  []Person{{FullName: "Chủ trì A" + rlo}, {FullName: "Chủ trì B"}}, Secretaries: []Person{{FullName: "Thư ký" + rlo}},
		Participants: []Participant{{FullName: "Lê D" + rlo, Role: meeting.Delegate, Attendance: meeting.Absent, Reason: "Ốm\u202b"}},
		Items: []Item{{Number: "1", Title: "Nhân sự" + rlo, PresenterName: "Phạm E" + rlo, Status: agenda.Current,
			Conclusion: "Dòng một" + rlo + "\nDòng hai\u061c",
			Documents:  []Document{{Title: "Tờ trình" + rlo, Pages: 1, Confidential: true}},
			Speakers:   []Speaker{{FullName: "Võ F" + rlo, Kind: agenda.Speech, StartedAt: at}},
			Polls:      []Poll{poll}}},
		Unfiled: Unfiled{Documents: []Document{{Title: "Phụ lục\u202d", Pages: 3}}, Polls: []Poll{{ID: "q", Title: "Khác" + rlo,
			Kind: vote.Motion, Status: vote.Draft}}},
	}
	isolates := regexp.MustCompile(`(?s)<bdi>.*?</bdi>`)
	for _, lang := range []string{"vi", "en"} {
		l, _ := language(lang)
		body, err := renderHTML(m, l)
		if err != nil {
			t.Fatal(err)
		}
		page := string(body)
		if o, c := strings.Count(page, "<bdi>"), strings.Count(page, "</bdi>"); o != c || o == 0 {
			t.Fatalf("%s: %d <bdi> and %d </bdi>", lang, o, c)
		}
		outside := isolates.ReplaceAllString(page, "")
		if i := strings.IndexFunc(outside, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }); i >= 0 {
			t.Errorf("%s: a bidi control outside any <bdi>: …%q…", lang, outside[max(0, i-80):min(len(outside), i+20)])
		}
		for _, want := range []string{
			"<title>" + l.Heading + ": Kỳ họp</title>",
			`<p class="subtitle"><bdi>Kỳ họp` + rlo + `</bdi></p>`,
			"<dd><bdi>Hội trường\u200f</bdi></dd>",
			"<dd><bdi>Chủ trì A" + rlo + "</bdi>, <bdi>Chủ trì B</bdi></dd>",
			`<div class="who"><bdi>Thư ký` + rlo + `</bdi></div>`,
			"<td><bdi>Lê D" + rlo + "</bdi></td>", "<td><bdi>Ốm\u202b</bdi></td>",
			"<h3>1. <bdi>Nhân sự" + rlo + "</bdi></h3>", ": <bdi>Phạm E" + rlo + "</bdi>. ",
			"<bdi>Dòng một" + rlo + "</bdi><br>\n<bdi>Dòng hai\u061c</bdi></p>",
			"<li><bdi>Tờ trình" + rlo + "</bdi> (1 ", "<li><bdi>Phụ lục\u202d</bdi> (3 ",
			"<td><bdi>Võ F" + rlo + "</bdi></td>",
			": <bdi>Bầu tổ trưởng" + rlo + "</bdi></strong> — ", ": <bdi>Khác" + rlo + "</bdi></strong> — ",
			"<td><bdi>Ông A" + rlo + "</bdi></td>", "<td><bdi>Bà B\u2067</bdi></td>",
			l.Elected + ": <bdi>Ông A" + rlo + "</bdi>", l.Tied + ": <bdi>Ông A" + rlo + "</bdi>, <bdi>Bà B\u2067</bdi></p>",
			"<td><bdi>Trần C" + rlo + "</bdi></td><td><bdi>Ông A" + rlo + "</bdi>, <bdi>Bà B\u2067</bdi></td>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
	}
}

// plain leaves out every bidi control, and nothing else.
func TestPlainDropsBidiControls(t *testing.T) {
	in := "\u061cA\u200eB\u200fC\u202aD\u202bE\u202cF\u202dG\u202eH\u2066I\u2067J\u2068K\u2069L \u200d\u00ad\n"
	if got, want := plain(in), "ABCDEFGHIJKL \u200d\u00ad\n"; got != want {
		t.Errorf("plain(%q) = %q, want %q", in, got, want)
	}
}
