// Package docs owns the meeting pack: PDF documents and their versions,
// content-addressed blob storage, access to confidential documents,
// serving with Range and ETag, and per-reader watermarks. The subpackage
// docs/pdf is the only code that touches pdfcpu, in isolated workers.
package docs

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/curia/curia/audit"
	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/database"
	"github.com/curia/curia/internal/event"
	"github.com/curia/curia/internal/priority"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
)

// Document is a PDF in a meeting, as its current version.
type Document struct {
	ID           string         `json:"id"`
	MeetingID    string         `json:"meeting_id"`
	AgendaItemID *string        `json:"agenda_item_id"`
	Title        string         `json:"title"`
	Position     int            `json:"position"`
	Confidential bool           `json:"confidential"`
	Version      int            `json:"version"`
	Pages        int            `json:"pages"`
	Size         int64          `json:"size"`
	SHA256       string         `json:"sha256"`
	PDFVersion   string         `json:"pdf_version"`
	PageSizes    []pdf.PageSize `json:"page_sizes"`
	Filename     string         `json:"filename"`
	CreatedBy    string         `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	// Shown to those who manage the meeting only.
	Risks    *Risks    `json:"risks,omitempty"`
	Readers  []string  `json:"readers,omitempty"` // the access list of a confidential document
	Versions []Version `json:"versions,omitempty"`
}

// Risks are active content found in a PDF. The viewer never runs it; the
// secretary is told, so a suspicious file can be replaced.
type Risks struct {
	JavaScript    bool `json:"javascript"`
	LaunchActions bool `json:"launch_actions"`
	EmbeddedFiles bool `json:"embedded_files"`
}

// Version is one uploaded file of a document.
type Version struct {
	Version    int       `json:"version"`
	Pages      int       `json:"pages"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Filename   string    `json:"filename"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// Meetings is what docs asks the meeting package: who may do what, and
// who the participants are. Errors carry apperr kinds (NotFound when the
// actor must not see the meeting).
type Meetings interface {
	Access(ctx context.Context, a web.Actor, meetingID string) (meeting.Access, error)
	Participants(ctx context.Context, meetingID string) ([]meeting.Participant, error)
}

// AgendaItems tells which meeting an agenda item belongs to (NotFound
// when there is no such item), and who presents the current item ("" for
// nobody), who may point at the presented page.
type AgendaItems interface {
	MeetingOf(ctx context.Context, itemID string) (string, error)
	CurrentPresenter(ctx context.Context, meetingID string) (string, error)
}

// PDFs is the isolated PDF worker pool (docs/pdf.Runner).
type PDFs interface {
	Inspect(ctx context.Context, path string) (pdf.Info, error)
	// Watermark stamps every page of in with lines and the copy id into out.
	Watermark(ctx context.Context, in, out string, lines []string, copyID string) error
	// Annotate draws marks into the pages of a copy of in, written to out.
	Annotate(ctx context.Context, in, out string, marks []pdf.Mark) error
}

// Config wires a Service.
type Config struct {
	DataDir   string
	MaxUpload int64 // bytes; default 200 MB
	Meetings  Meetings
	Agenda    AgendaItems
	PDF       PDFs
	Blobs     Blobs // default FileBlobs under DataDir/blobs
	Publisher event.Publisher
	// Shown tells what page a meeting shows, for the presenter's pointer;
	// nil refuses pointers.
	Shown ShownFunc
	// Audit records document opens, with group commit; nil writes each
	// entry in its own transaction.
	Audit Auditor
	// AnnotationLimits bound the annotations an author keeps on a
	// document version; zero fields take DefaultAnnotationLimits.
	AnnotationLimits AnnotationLimits
	// Urgent, when set, is urgent work in flight (page turns: the
	// presentation service tells it) that a batch of strokes waits for,
	// at most StrokeYield, before it is written and again before it is
	// announced.
	Urgent *priority.Gate
	Logger *slog.Logger
	Now    func() time.Time
}

// Auditor appends an audit entry and returns once it is durable.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service implements the document rules for REST, the live hub and the CLI.
type Service struct {
	store     *store
	meetings  Meetings
	agenda    AgendaItems
	pdf       PDFs
	blobs     Blobs
	pub       event.Publisher
	shown     ShownFunc
	auditor   Auditor
	log       *slog.Logger
	now       func() time.Time
	tmpDir    string
	maxUpload int64
	marks     *watermarks
	access    *accessCache
	opened    *openings // recent audited openings, by session (openings.go)
	commits   annotationCommits
	// visibility is held for writing by the changes of who may see a
	// document (Update, SetAccess, Delete), from their write to their
	// events, and for reading by the announcement of new annotations
	// while it reads their audience and publishes.
	visibility sync.RWMutex
	hooks      changeHooks // told of deletions and access changes (changed.go)
}

// NewService returns a Service on db.
func NewService(db *database.DB, cfg Config) *Service {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 200 << 20
	}
	if cfg.Blobs == nil {
		cfg.Blobs = FileBlobs{Dir: filepath.Join(cfg.DataDir, "blobs")}
	}
	if cfg.Publisher == nil {
		cfg.Publisher = event.Nop{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Audit == nil {
		cfg.Audit = audit.New(db)
	}
	s := &Service{store: &store{db: db.Gorm, dialect: db.Dialect}, meetings: cfg.Meetings, agenda: cfg.Agenda, pdf: cfg.PDF,
		blobs: cfg.Blobs, pub: cfg.Publisher, shown: cfg.Shown, auditor: cfg.Audit, log: cfg.Logger, now: cfg.Now,
		tmpDir: filepath.Join(cfg.DataDir, "tmp"), maxUpload: cfg.MaxUpload}
	s.store.setAnnotationLimits(cfg.AnnotationLimits)
	s.commits.urgent = cfg.Urgent
	s.marks = newWatermarks(s, filepath.Join(cfg.DataDir, "copies"))
	s.access = newAccessCache(time.Now) // the real clock: its window must pass even under a test clock
	s.opened = newOpenings(time.Now)    // likewise
	return s
}

// MaxUpload is the largest accepted file, in bytes.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

func (s *Service) entry(a web.Actor, meetingID, action, docID string, detail map[string]any) audit.Entry {
	if detail == nil {
		detail = map[string]any{}
	}
	return audit.For(a, s.now(), meetingID, action, "document:"+docID, detail)
}

func document(d documentRow, v versionRow) Document {
	doc := Document{ID: d.ID, MeetingID: d.MeetingID, AgendaItemID: d.AgendaItemID, Title: d.Title, Position: d.Position,
		Confidential: d.Confidential, Version: d.CurrentVersion, Pages: v.Pages, Size: v.Size, SHA256: v.SHA256,
		PDFVersion: v.PDFVersion, Filename: v.Filename, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	_ = json.Unmarshal([]byte(v.PageSizes), &doc.PageSizes)
	return doc
}

func version(v versionRow) Version {
	return Version{Version: v.Version, Pages: v.Pages, Size: v.Size, SHA256: v.SHA256, Filename: v.Filename,
		UploadedBy: v.UploadedBy, UploadedAt: v.UploadedAt}
}
