package minutes

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"unicode"
)

// page is the HTML minutes with every value already in words: the
// template only places them, and html/template escapes each one.
//
// Every text a user wrote (a title, a name, an option's label, the
// location, a reason, a conclusion's lines) is placed in its own <bdi>,
// one per name in a list: a text-direction control in it (U+202E …,
// refused at input since meeting.NotInALine knows them, but possibly
// stored before) then reorders nothing outside it, neither the words the
// minutes print after it on the same line ("(1 trang) [Mật]", "— Biểu
// quyết công khai; …") nor the next name; and a title in Arabic or
// Hebrew takes its own direction (a <bdi> is dir=auto) without turning
// the Vietnamese around it. The document's <title>, which can hold no
// markup, gets the meeting's title without its bidi controls (plain).
type page struct {
	L            labels
	Title        string
	Draft        bool
	Status       string
	StartsAt     string
	Location     string
	Generated    string
	Chairs       []string
	Secretaries  []string
	Participants []participantRow
	Quorum       []pair
	QuorumState  string
	QuorumOK     bool
	Items        []itemView
	// UnfiledDocs and UnfiledPolls are what names no item, each under
	// its own heading; nil when there is none.
	UnfiledDocs  *sectionView
	UnfiledPolls *sectionView
	HasUnfiled   bool
}

type pair struct{ Key, Value string }

// sectionArgs is what the "section" template gets: the labels and the
// documents and polls of an item, or of no item.
type sectionArgs struct {
	L labels
	S *sectionView
}

type participantRow struct {
	Name, Role, CanVote, Attendance, Reason, CheckedIn string
	Absent                                             bool
}

type itemView struct {
	Number, Title, Presenter, Planned, Status string
	Depth                                     int
	Section                                   *sectionView
	Speakers                                  []speakerRow
	// Conclusion is the chair's conclusion, line by line; nil when none.
	Conclusion []string
}

type sectionView struct {
	Documents []documentRow
	Withheld  string
	Polls     []pollView
}

type documentRow struct {
	Title, Pages string
	Confidential bool
}

type speakerRow struct {
	Name, Kind, Started, Finished string
}

type pollView struct {
	Title, Kind, Status, Outcome string
	Elected, Tied                []string // option labels
	HasResults, ShowWeight       bool
	Results                      []resultRow
	Electorate                   []pair
	Votes                        []voteRow
}

type resultRow struct{ Label, Votes, Weight string }

type voteRow struct {
	Name   string
	Choice []string // option labels
	Weight string
}

// renderHTML renders m in the words of l.
func renderHTML(m Minutes, l labels) ([]byte, error) {
	p := page{L: l, Title: m.Meeting.Title, Draft: m.Draft, Status: word(l.meetingStatus, m.Meeting.Status),
		StartsAt: l.when(m.Meeting.StartsAt), Location: m.Meeting.Location, Generated: l.when(&m.GeneratedAt)}
	for _, c := range m.Chairs {
		p.Chairs = append(p.Chairs, c.FullName)
	}
	for _, s := range m.Secretaries {
		p.Secretaries = append(p.Secretaries, s.FullName)
	}
	for _, x := range m.Participants {
		yes := l.No
		if x.CanVote {
			yes = l.Yes
		}
		p.Participants = append(p.Participants, participantRow{Name: x.FullName, Role: word(l.role, x.Role), CanVote: yes,
			Attendance: word(l.state, x.Attendance), Reason: x.Reason, CheckedIn: l.when(x.CheckedInAt),
			Absent: x.Attendance == "absent"})
	}
	q := m.Quorum
	p.Quorum = []pair{{l.QPresent, strconv.Itoa(q.Present)}, {l.QRemote, strconv.Itoa(q.Remote)},
		{l.QEligible, strconv.Itoa(q.Eligible)}, {l.QRequired, strconv.Itoa(q.Required)}}
	p.QuorumOK, p.QuorumState = q.Reached, l.QNotReached
	if q.Reached {
		p.QuorumState = l.QReached
	}
	p.Items = flatten(nil, m.Items, 1, l)
	if u := section(m.Unfiled.Documents, m.Unfiled.WithheldDocuments, nil, l); len(u.Documents) > 0 || u.Withheld != "" {
		p.UnfiledDocs = &u
	}
	if u := section(nil, 0, m.Unfiled.Polls, l); len(u.Polls) > 0 {
		p.UnfiledPolls = &u
	}
	p.HasUnfiled = p.UnfiledDocs != nil || p.UnfiledPolls != nil
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flatten lists the agenda tree depth-first, each item with its depth.
func flatten(out []itemView, items []Item, depth int, l labels) []itemView {
	for _, it := range items {
		v := itemView{Number: it.Number, Title: it.Title, Presenter: it.PresenterName, Depth: min(depth, 3),
			Status: word(l.itemStatus, it.Status), Section: ptr(section(it.Documents, it.WithheldDocuments, it.Polls, l))}
		if it.DurationMin > 0 {
			v.Planned = strconv.Itoa(it.DurationMin) + " " + l.Minutes
		}
		v.Conclusion = lines(it.Conclusion)
		for _, sp := range it.Speakers {
			r := speakerRow{Name: sp.FullName, Kind: word(l.speakerKind, sp.Kind), Started: l.when(&sp.StartedAt),
				Finished: l.when(sp.FinishedAt)}
			if sp.FinishedAt == nil {
				r.Finished = l.StillSpeaking
			}
			v.Speakers = append(v.Speakers, r)
		}
		out = append(out, v)
		out = flatten(out, it.Items, depth+1, l)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// lines splits a text at its line breaks (\r\n, \r or \n), so that the
// page keeps them; nil for an empty text.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s), "\n")
}

func section(ds []Document, withheld int, ps []Poll, l labels) sectionView {
	s := sectionView{}
	for _, d := range ds {
		s.Documents = append(s.Documents, documentRow{Title: d.Title, Pages: strconv.Itoa(d.Pages) + " " + l.Pages,
			Confidential: d.Confidential})
	}
	if withheld > 0 {
		s.Withheld = l.withheld(withheld)
	}
	for _, p := range ps {
		s.Polls = append(s.Polls, pollRow(p, l))
	}
	return s
}

func pollRow(p Poll, l labels) pollView {
	v := pollView{Title: p.Title, Kind: l.secret[p.Secret], Status: word(l.pollStatus, p.Status),
		HasResults: p.Results != nil}
	labelOf := map[string]string{}
	for _, o := range p.Options {
		labelOf[o.ID] = l.optionLabel(p, o.ID, o.Label)
	}
	for _, r := range p.Results {
		v.Results = append(v.Results, resultRow{Label: l.optionLabel(p, r.Option, r.Label),
			Votes: strconv.FormatInt(r.Votes, 10), Weight: strconv.FormatInt(r.Weight, 10)})
		if r.Weight != r.Votes {
			v.ShowWeight = true
		}
	}
	if e := p.Electorate; e != nil {
		v.Electorate = []pair{{l.Members, strconv.Itoa(e.Members)}, {l.EPresent, strconv.Itoa(e.Present)},
			{l.Eligible, strconv.Itoa(e.Eligible)}, {l.Voted, strconv.Itoa(e.Voted)}}
	}
	if p.Outcome != "" {
		v.Outcome = word(l.outcome, p.Outcome)
	}
	names := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = word(labelOf, id)
		}
		return out
	}
	v.Elected, v.Tied = names(p.Elected), names(p.Tied)
	for _, x := range p.Votes {
		v.Votes = append(v.Votes, voteRow{Name: x.FullName, Choice: names(x.Options), Weight: strconv.Itoa(x.Weight)})
	}
	return v
}

// plain is s without its bidi controls (unicode.Bidi_Control), for a
// place that cannot isolate it in a <bdi>.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
}

// pageTemplate is one self-contained printable page: inline style, no
// script, nothing fetched from elsewhere. Text a user wrote is placed
// in a <bdi> (see page); "names" places a list of such texts, each in
// its own, separated by commas.
var pageTemplate = template.Must(template.New("minutes").Funcs(template.FuncMap{
	"sectionOf": func(l labels, s *sectionView) sectionArgs { return sectionArgs{L: l, S: s} },
	"plain":     plain,
}).Parse(`<!DOCTYPE html>
<html lang="{{.L.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.Heading}}: {{plain .Title}}</title>
<style>
@page { size: A4; margin: 2cm; }
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 12pt; line-height: 1.4; color: #000; max-width: 48em; margin: 1.5em auto; padding: 0 1em; }
h1 { text-align: center; font-size: 18pt; text-transform: uppercase; margin-bottom: .2em; }
h1 + .subtitle { text-align: center; font-size: 14pt; font-weight: bold; margin-top: 0; }
h2 { font-size: 14pt; border-bottom: 1px solid #000; margin-top: 1.5em; }
h3 { font-size: 12.5pt; margin: 1.2em 0 .3em; }
.depth-2 { margin-left: 1.5em; }
.depth-3 { margin-left: 3em; }
.draft { border: 3px double #b00; color: #b00; text-align: center; font-weight: bold; padding: .4em; margin: 1em 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; }
th, td { border: 1px solid #444; padding: .25em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.absent { color: #555; }
.conf { font-weight: bold; color: #b00; }
.muted { color: #555; font-style: italic; }
.poll { border-left: 3px solid #888; padding-left: .8em; margin: .6em 0; }
.conclusion { margin: .6em 0; page-break-inside: avoid; }
.conclusion p { margin: .2em 0; }
.sign { display: flex; justify-content: space-around; margin-top: 3em; text-align: center; page-break-inside: avoid; }
.sign div { min-width: 14em; }
.sign .who { margin-top: 4em; font-weight: bold; }
@media print { .draft { -webkit-print-color-adjust: exact; print-color-adjust: exact; } body { margin: 0; max-width: none; } }
</style>
</head>
<body>
<h1>{{.L.Heading}}</h1>
<p class="subtitle"><bdi>{{.Title}}</bdi></p>
{{if .Draft}}<div class="draft">{{.L.Draft}} — {{.L.DraftNote}}</div>{{end}}
<dl class="facts">
<dt>{{.L.Status}}</dt><dd>{{.Status}}</dd>
<dt>{{.L.StartsAt}}</dt><dd>{{.StartsAt}}</dd>
<dt>{{.L.Location}}</dt><dd>{{if .Location}}<bdi>{{.Location}}</bdi>{{end}}</dd>
<dt>{{.L.Chair}}</dt><dd>{{if .Chairs}}{{template "names" .Chairs}}{{else}}{{.L.None}}{{end}}</dd>
<dt>{{.L.Secretary}}</dt><dd>{{if .Secretaries}}{{template "names" .Secretaries}}{{else}}{{.L.None}}{{end}}</dd>
<dt>{{.L.Generated}}</dt><dd>{{.Generated}}</dd>
</dl>

<h2>{{.L.Participants}}</h2>
<table>
<thead><tr><th>{{.L.Name}}</th><th>{{.L.Role}}</th><th>{{.L.CanVote}}</th><th>{{.L.Attendance}}</th><th>{{.L.Reason}}</th><th>{{.L.CheckedIn}}</th></tr></thead>
<tbody>
{{range .Participants}}<tr{{if .Absent}} class="absent"{{end}}><td><bdi>{{.Name}}</bdi></td><td>{{.Role}}</td><td>{{.CanVote}}</td><td>{{.Attendance}}</td><td>{{if .Reason}}<bdi>{{.Reason}}</bdi>{{end}}</td><td>{{.CheckedIn}}</td></tr>
{{end}}</tbody>
</table>

<h2>{{.L.Quorum}}</h2>
<table>
<tbody>
{{range .Quorum}}<tr><th>{{.Key}}</th><td class="n">{{.Value}}</td></tr>
{{end}}</tbody>
</table>
<p><strong>{{.QuorumState}}</strong></p>

<h2>{{.L.Contents}}</h2>
{{if not .Items}}<p class="muted">{{.L.None}}</p>{{end}}
{{range .Items}}<section class="depth-{{.Depth}}">
<h3>{{.Number}}. <bdi>{{.Title}}</bdi></h3>
<p>{{if .Presenter}}{{$.L.Presenter}}: <bdi>{{.Presenter}}</bdi>. {{end}}{{if .Planned}}{{$.L.Planned}}: {{.Planned}}. {{end}}<span class="muted">{{.Status}}</span></p>
{{template "section" (sectionOf $.L .Section)}}
{{if .Speakers}}<p><strong>{{$.L.Speakers}}</strong></p>
<table>
<thead><tr><th>{{$.L.Name}}</th><th>{{$.L.Kind}}</th><th>{{$.L.Started}}</th><th>{{$.L.Finished}}</th></tr></thead>
<tbody>
{{range .Speakers}}<tr><td><bdi>{{.Name}}</bdi></td><td>{{.Kind}}</td><td>{{.Started}}</td><td>{{.Finished}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{if .Conclusion}}<div class="conclusion"><p><strong>{{$.L.Conclusion}}</strong></p>
<p>{{range $i, $line := .Conclusion}}{{if $i}}<br>
{{end}}<bdi>{{$line}}</bdi>{{end}}</p></div>{{end}}
</section>
{{end}}
{{if .HasUnfiled}}<h2>{{.L.Unfiled}}</h2>
{{with .UnfiledDocs}}<h3>{{$.L.UnfiledDocuments}}</h3>
{{template "section" (sectionOf $.L .)}}{{end}}
{{with .UnfiledPolls}}<h3>{{$.L.UnfiledPolls}}</h3>
{{template "section" (sectionOf $.L .)}}{{end}}{{end}}

<div class="sign">
<div>{{.L.Secretary}}<br><span class="muted">{{.L.Signature}}</span><div class="who">{{template "names" .Secretaries}}</div></div>
<div>{{.L.Chair}}<br><span class="muted">{{.L.Signature}}</span><div class="who">{{template "names" .Chairs}}</div></div>
</div>
</body>
</html>
{{define "section"}}{{$L := .L}}{{with .S}}
{{if or .Documents .Withheld}}<p><strong>{{$L.Documents}}</strong></p>
<ul>
{{range .Documents}}<li><bdi>{{.Title}}</bdi> ({{.Pages}}){{if .Confidential}} <span class="conf">[{{$L.Confidential}}]</span>{{end}}</li>
{{end}}{{if .Withheld}}<li class="muted">{{.Withheld}}</li>
{{end}}</ul>{{end}}
{{range .Polls}}<div class="poll">
<p><strong>{{$L.Poll}}: <bdi>{{.Title}}</bdi></strong> — {{.Kind}}; {{$L.Status}}: {{.Status}}</p>
{{if .HasResults}}<table>
<thead><tr><th>{{$L.Option}}</th><th>{{$L.Votes}}</th>{{if .ShowWeight}}<th>{{$L.Weight}}</th>{{end}}</tr></thead>
<tbody>
{{$w := .ShowWeight}}{{range .Results}}<tr><td><bdi>{{.Label}}</bdi></td><td class="n">{{.Votes}}</td>{{if $w}}<td class="n">{{.Weight}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{if .Electorate}}<p>{{$L.Electorate}}: {{range $i, $e := .Electorate}}{{if $i}}; {{end}}{{$e.Key}} {{$e.Value}}{{end}}</p>{{end}}
<p><strong>{{$L.Outcome}}: {{.Outcome}}</strong>{{if .Elected}} — {{$L.Elected}}: {{template "names" .Elected}}{{end}}{{if .Tied}} — {{$L.Tied}}: {{template "names" .Tied}}{{end}}</p>
{{if .Votes}}<p>{{$L.HowVoted}}</p>
<table>
<thead><tr><th>{{$L.Name}}</th><th>{{$L.Choice}}</th>{{if $w}}<th>{{$L.Weight}}</th>{{end}}</tr></thead>
<tbody>
{{range .Votes}}<tr><td><bdi>{{.Name}}</bdi></td><td>{{template "names" .Choice}}</td>{{if $w}}<td class="n">{{.Weight}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}
{{else}}<p class="muted">{{$L.NoResults}}</p>{{end}}
</div>
{{end}}{{end}}{{end}}{{define "names"}}{{range $i, $n := .}}{{if $i}}, {{end}}<bdi>{{$n}}</bdi>{{end}}{{end}}`))
