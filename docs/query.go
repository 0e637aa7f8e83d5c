package docs

import (
	"context"

	"github.com/curia/curia/internal/apperr"
	"github.com/curia/curia/internal/web"
)

// List returns the documents of a meeting that the actor may see, in
// order. Confidential documents the actor may not read are left out.
func (s *Service) List(ctx context.Context, a web.Actor, meetingID string) ([]Document, error) {
	acc, err := s.meetings.Access(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.documents(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	docIDs := make([]string, len(rows))
	for i, d := range rows {
		docIDs[i] = d.ID
	}
	readers, err := s.store.readers(ctx, docIDs)
	if err != nil {
		return nil, err
	}
	versions, err := s.store.versions(ctx, docIDs)
	if err != nil {
		return nil, err
	}
	current := map[string]versionRow{}
	for _, v := range versions {
		current[v.DocumentID] = v // ordered by version: the last is current
	}
	out := []Document{}
	for _, d := range rows {
		if !visible(acc, d, readers[d.ID]) {
			continue
		}
		doc := document(d, current[d.ID])
		if acc.CanManage() {
			doc = managerFields(doc, current[d.ID], readers[d.ID])
		}
		out = append(out, doc)
	}
	return out, nil
}

// Get returns one document with its versions.
func (s *Service) Get(ctx context.Context, a web.Actor, id string) (Document, error) {
	d, acc, _, err := s.docFor(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	return s.full(ctx, d, acc.CanManage())
}

// full is a document with its versions, newest first, and for a manager
// the manager-only fields. It checks no access.
func (s *Service) full(ctx context.Context, d documentRow, manager bool) (Document, error) {
	vs, err := s.store.versions(ctx, []string{d.ID})
	if err != nil {
		return Document{}, err
	}
	if len(vs) == 0 { // deleted meanwhile
		return Document{}, apperr.NotFoundf("document not found")
	}
	doc := document(d, vs[len(vs)-1])
	for i := len(vs) - 1; i >= 0; i-- {
		doc.Versions = append(doc.Versions, version(vs[i]))
	}
	return s.withManagerFields(ctx, doc, manager)
}

// withManagerFields adds what only the secretary and chair see: the risks
// found in the file and the access list.
func (s *Service) withManagerFields(ctx context.Context, doc Document, manager bool) (Document, error) {
	if !manager {
		return doc, nil
	}
	v, err := s.store.version(ctx, doc.ID, doc.Version)
	if err != nil {
		return Document{}, err
	}
	readers, err := s.store.readers(ctx, []string{doc.ID})
	if err != nil {
		return Document{}, err
	}
	return managerFields(doc, v, readers[doc.ID]), nil
}

func managerFields(doc Document, v versionRow, readers []string) Document {
	doc.Risks = &Risks{JavaScript: v.JavaScript, LaunchActions: v.LaunchActions, EmbeddedFiles: v.EmbeddedFiles}
	if doc.Confidential {
		doc.Readers = append([]string{}, readers...)
	}
	return doc
}

// Pages returns the page count of a document version the actor may see
// (version 0 means the current one), and the title an audit entry may give
// the document (auditTitle), read from the same row. The live presentation
// calls it on every page turn.
func (s *Service) Pages(ctx context.Context, a web.Actor, docID string, version int) (meetingID string, v int, pages int, title string, err error) {
	d, vr, err := s.docVersion(ctx, a, docID, version)
	if err != nil {
		return "", 0, 0, "", err
	}
	return d.MeetingID, vr.Version, vr.Pages, auditTitle(d), nil
}

// AuditTitle returns the title an audit entry may give a document
// (auditTitle); NotFound when there is no such document. It checks no
// access: what it returns is for the audit log only.
func (s *Service) AuditTitle(ctx context.Context, docID string) (string, error) {
	d, err := s.store.document(ctx, docID)
	if err != nil {
		return "", err
	}
	return auditTitle(d), nil
}

// auditTitle is the title of d for an audit entry made by another
// package: "" when d is confidential. Only administrators read the audit
// log, and an administrator may not see a confidential document
// (visible), so its entries name it by id only (auditDetail).
func auditTitle(d documentRow) string {
	if d.Confidential {
		return ""
	}
	return d.Title
}

// Audience returns who may receive events that reveal a document: nil for
// everyone in the meeting, or the user ids of its readers, chair and
// secretary when it is confidential.
func (s *Service) Audience(ctx context.Context, docID string) ([]string, error) {
	d, err := s.store.document(ctx, docID)
	if err != nil {
		return nil, err
	}
	readers, err := s.store.readers(ctx, []string{docID})
	if err != nil {
		return nil, err
	}
	return s.audience(ctx, d, readers[docID]), nil
}
