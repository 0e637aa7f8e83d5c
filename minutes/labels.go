package minutes

import (
	"fmt"
	"time"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/vote"
)

// labels are the words of the HTML minutes in one language.
type labels struct {
	Lang                                                  string
	fileWord, fileSlug                                    string // "Biên bản", "bien-ban": the file's name
	Heading, Draft, DraftNote, Generated                  string
	Status, StartsAt, Location, Chair, Secretary          string
	Participants, Name, Role, CanVote, Attendance, Reason string
	CheckedIn, Yes, No, None                              string
	Quorum, QPresent, QRemote, QEligible, QRequired       string
	QReached, QNotReached                                 string
	Contents, Presenter, Planned, Minutes, Documents      string
	Pages, Confidential, Speakers, Kind, Started          string
	Finished, StillSpeaking, Poll, Option, Votes, Weight  string
	Electorate, Members, EPresent, Eligible, Voted        string
	Outcome, Elected, Tied, HowVoted, Choice, NoResults   string
	Unfiled, UnfiledDocuments, UnfiledPolls, Signature    string
	Conclusion                                            string // the heading of an item's conclusion
	timeLayout                                            string
	loc                                                   *time.Location // the reader's time zone (UTC unless asked)
	withheld                                              func(n int) string
	meetingStatus                                         map[meeting.Status]string
	itemStatus                                            map[agenda.ItemStatus]string
	role                                                  map[meeting.Role]string
	state                                                 map[meeting.State]string
	speakerKind                                           map[agenda.Kind]string
	pollStatus                                            map[vote.Status]string
	outcome                                               map[vote.Outcome]string
	secret                                                map[bool]string
	motion                                                map[string]string // motion option labels, when not the poll's own
}

// language returns the labels of lang (vi or en).
func language(lang string) (labels, bool) {
	switch lang {
	case "vi":
		return vi(), true
	case "en":
		return en(), true
	}
	return labels{}, false
}

func vi() labels {
	return labels{Lang: "vi", fileWord: "Biên bản", fileSlug: "bien-ban",
		Heading: "Biên bản cuộc họp", Draft: "Dự thảo", DraftNote: "cuộc họp chưa kết thúc, biên bản chưa chính thức.",
		Generated: "Lập lúc", Status: "Trạng thái", StartsAt: "Thời gian", Location: "Địa điểm", Chair: "Chủ trì",
		Secretary: "Thư ký", Participants: "Thành phần tham dự", Name: "Họ và tên", Role: "Vai trò",
		CanVote: "Quyền biểu quyết", Attendance: "Điểm danh", Reason: "Lý do", CheckedIn: "Giờ điểm danh",
		Yes: "Có", No: "Không", None: "Không có",
		Quorum: "Túc số", QPresent: "Có mặt (kể cả trực tuyến)", QRemote: "Trong đó trực tuyến",
		QEligible: "Thành viên có quyền biểu quyết", QRequired: "Số cần có", QReached: "Đủ túc số", QNotReached: "Chưa đủ túc số",
		Contents: "Nội dung", Presenter: "Người trình bày", Planned: "Thời lượng dự kiến", Minutes: "phút",
		Documents: "Tài liệu", Pages: "trang", Confidential: "Mật", Speakers: "Phát biểu", Kind: "Hình thức",
		Started: "Bắt đầu", Finished: "Kết thúc", StillSpeaking: "đang phát biểu",
		Poll: "Biểu quyết", Option: "Phương án", Votes: "Số phiếu", Weight: "Trọng số",
		Electorate: "Số người biểu quyết", Members: "Thành viên", EPresent: "Có mặt", Eligible: "Được biểu quyết",
		Voted: "Đã biểu quyết", Outcome: "Kết quả", Elected: "Trúng cử", Tied: "Hòa phiếu",
		HowVoted: "Biểu quyết của từng thành viên", Choice: "Lựa chọn", NoResults: "Chưa có kết quả",
		Unfiled: "Ngoài các mục nội dung", UnfiledDocuments: "Tài liệu chung",
		UnfiledPolls: "Biểu quyết không thuộc mục nội dung nào", Signature: "(Ký, ghi rõ họ tên)",
		Conclusion: "Kết luận",
		timeLayout: "15:04 02/01/2006",
		withheld:   func(n int) string { return fmt.Sprintf("%d tài liệu mật không hiển thị", n) },
		meetingStatus: map[meeting.Status]string{meeting.Draft: "Đang chuẩn bị", meeting.Scheduled: "Đã lên lịch",
			meeting.Live: "Đang họp", meeting.Adjourned: "Tạm dừng", meeting.Closed: "Đã kết thúc"},
		itemStatus: map[agenda.ItemStatus]string{agenda.Pending: "Chưa thảo luận", agenda.Current: "Đang thảo luận",
			agenda.Done: "Đã thảo luận"},
		role: map[meeting.Role]string{meeting.Chair: "Chủ trì", meeting.Secretary: "Thư ký", meeting.Delegate: "Đại biểu",
			meeting.Observer: "Quan sát viên"},
		state: map[meeting.State]string{meeting.Present: "Có mặt", meeting.Remote: "Trực tuyến", meeting.Absent: "Vắng mặt",
			meeting.Unknown: "Chưa điểm danh"},
		speakerKind: map[agenda.Kind]string{agenda.Speech: "Phát biểu", agenda.Question: "Chất vấn"},
		pollStatus: map[vote.Status]string{vote.Draft: "Chưa mở", vote.Open: "Đang biểu quyết", vote.Closed: "Đã kết thúc",
			vote.Published: "Đã công bố", vote.Cancelled: "Đã hủy"},
		outcome: map[vote.Outcome]string{vote.Adopted: "Thông qua", vote.Rejected: "Không thông qua", vote.Tie: "Hòa phiếu",
			vote.Elected: "Có phương án trúng cử", vote.NoneWon: "Không có phương án trúng cử"},
		secret: map[bool]string{true: "Bỏ phiếu kín", false: "Biểu quyết công khai"},
	}
}

func en() labels {
	return labels{Lang: "en", fileWord: "Minutes", fileSlug: "minutes",
		Heading: "Minutes of the meeting", Draft: "Draft", DraftNote: "the meeting is not closed; these minutes are not final.",
		Generated: "Generated at", Status: "Status", StartsAt: "Starts at", Location: "Location", Chair: "Chair",
		Secretary: "Secretary", Participants: "Participants", Name: "Name", Role: "Role",
		CanVote: "Voting right", Attendance: "Attendance", Reason: "Reason", CheckedIn: "Checked in",
		Yes: "Yes", No: "No", None: "None",
		Quorum: "Quorum", QPresent: "Attending (remote included)", QRemote: "Of whom remote",
		QEligible: "Members with a vote", QRequired: "Required", QReached: "Quorum reached", QNotReached: "Quorum not reached",
		Contents: "Agenda", Presenter: "Presenter", Planned: "Planned", Minutes: "min",
		Documents: "Documents", Pages: "pages", Confidential: "Confidential", Speakers: "Speakers", Kind: "Kind",
		Started: "Started", Finished: "Finished", StillSpeaking: "still speaking",
		Poll: "Poll", Option: "Option", Votes: "Votes", Weight: "Weight",
		Electorate: "Electorate", Members: "Members", EPresent: "Present", Eligible: "Eligible",
		Voted: "Voted", Outcome: "Outcome", Elected: "Elected", Tied: "Tied",
		HowVoted: "How each member voted", Choice: "Choice", NoResults: "No results yet",
		Unfiled: "Not under an agenda item", UnfiledDocuments: "General documents",
		UnfiledPolls: "Polls not under an agenda item", Signature: "(signature and full name)",
		Conclusion: "Conclusion",
		timeLayout: "2006-01-02 15:04",
		withheld: func(n int) string {
			if n == 1 {
				return "1 confidential document not shown"
			}
			return fmt.Sprintf("%d confidential documents not shown", n)
		},
		meetingStatus: map[meeting.Status]string{meeting.Draft: "In preparation", meeting.Scheduled: "Scheduled",
			meeting.Live: "In session", meeting.Adjourned: "Adjourned", meeting.Closed: "Closed"},
		itemStatus: map[agenda.ItemStatus]string{agenda.Pending: "Not taken up", agenda.Current: "Under discussion",
			agenda.Done: "Discussed"},
		role: map[meeting.Role]string{meeting.Chair: "Chair", meeting.Secretary: "Secretary", meeting.Delegate: "Delegate",
			meeting.Observer: "Observer"},
		state: map[meeting.State]string{meeting.Present: "Present", meeting.Remote: "Remote", meeting.Absent: "Absent",
			meeting.Unknown: "Not recorded"},
		speakerKind: map[agenda.Kind]string{agenda.Speech: "Speech", agenda.Question: "Question"},
		pollStatus: map[vote.Status]string{vote.Draft: "Not opened", vote.Open: "Open", vote.Closed: "Closed",
			vote.Published: "Published", vote.Cancelled: "Cancelled"},
		outcome: map[vote.Outcome]string{vote.Adopted: "Adopted", vote.Rejected: "Rejected", vote.Tie: "Tied",
			vote.Elected: "Elected", vote.NoneWon: "None elected"},
		secret: map[bool]string{true: "Secret ballot", false: "Open vote"},
		motion: map[string]string{vote.Agree: "In favour", vote.Disagree: "Against", vote.Abstain: "Abstain"},
	}
}

// word is m[k], or k itself when m has no word for it.
func word[K ~string](m map[K]string, k K) string {
	if w, ok := m[k]; ok {
		return w
	}
	return string(k)
}

// when formats a time, "" for none.
func (l labels) when(t *time.Time) string {
	if t == nil {
		return ""
	}
	loc := l.loc
	if loc == nil {
		loc = time.UTC
	}
	in := t.In(loc)
	if loc == time.UTC {
		return in.Format(l.timeLayout) + " (UTC)"
	}
	return in.Format(l.timeLayout) + " (GMT" + in.Format("-07:00") + ")"
}

// optionLabel is how an option is named: a motion's standard options in
// the minutes' language when it has its own words for them (English),
// else the poll's own label, as the vote package names it.
func (l labels) optionLabel(p Poll, id, label string) string {
	if p.Kind == vote.Motion {
		if w, ok := l.motion[id]; ok {
			return w
		}
	}
	if label == "" {
		return id
	}
	return label
}
