package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/curia/curia/agenda"
	"github.com/curia/curia/docs"
	"github.com/curia/curia/docs/pdf"
	"github.com/curia/curia/internal/app"
	"github.com/curia/curia/internal/web"
	"github.com/curia/curia/meeting"
	"github.com/curia/curia/presentation"
)

// demoDoc is one PDF of the demo meeting's pack, made by the PDF workers
// and attached to the agenda item of that title.
type demoDoc struct {
	file    string
	item    string   // agenda item title
	readers []string // demo usernames; set for a confidential document
	spec    pdf.Spec
}

// seedDemoDocuments gives the demo meeting its pack and then puts the
// first document's page 1 before the room, so a newcomer sees live page
// sync at once. Putting a page before the room is the seed's last step:
// once the meeting has had a presentation the seed is done. Before that,
// only the documents not in the meeting yet (by title) are made and
// added, so an interrupted seed is finished, never doubled.
func seedDemoDocuments(ctx context.Context, a *app.App, m meeting.Meeting) error {
	ids, err := demoUserIDs(ctx, a)
	if err != nil {
		return err
	}
	sec := web.Actor{UserID: ids["thuky"], Username: "thuky", FullName: "Trần Thị Bình"}
	if st, err := a.Present.Get(ctx, sec, m.ID); err != nil || st.At != nil {
		return err
	}
	have, err := a.Docs.List(ctx, sec, m.ID)
	if err != nil {
		return err
	}
	docIDs := map[string]string{} // by title
	for _, d := range have {
		docIDs[d.Title] = d.ID
	}
	var missing []demoDoc
	for _, d := range demoPack() {
		if _, ok := docIDs[d.spec.Title]; !ok {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		if err := addDemoDocs(ctx, a, sec, m.ID, missing, ids, docIDs); err != nil {
			return err
		}
	}
	if m.Status != meeting.Live {
		return nil // adjourned meanwhile: nothing is presented
	}
	first := docIDs[demoPack()[0].spec.Title]
	chair := web.Actor{UserID: ids["chutri"], Username: "chutri"}
	_, err = a.Present.Set(ctx, chair, m.ID, presentation.Input{DocumentID: &first, Page: 1})
	return err
}

// addDemoDocs makes the PDFs of pack and adds them to the meeting, filed
// under their agenda items; docIDs gets their ids by title.
func addDemoDocs(ctx context.Context, a *app.App, sec web.Actor, meetingID string, pack []demoDoc, ids, docIDs map[string]string) error {
	ag, err := a.Agenda.Agenda(ctx, sec, meetingID)
	if err != nil {
		return err
	}
	items := map[string]string{}
	var walk func(its []agenda.Item)
	walk = func(its []agenda.Item) {
		for _, it := range its {
			items[it.Title] = it.ID
			walk(it.Items)
		}
	}
	walk(ag.Items)
	dir, err := os.MkdirTemp(a.Config.DataDir, "demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := makeDemoPDFs(ctx, a.PDF, dir, pack); err != nil {
		return fmt.Errorf("demo documents: %w", err)
	}
	for _, d := range pack {
		id, err := addDemoDoc(ctx, a, sec, meetingID, filepath.Join(dir, d.file), d, items, ids)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", d.file, err)
		}
		docIDs[d.spec.Title] = id
	}
	return nil
}

// makeDemoPDFs writes the pack in parallel workers.
func makeDemoPDFs(ctx context.Context, r *pdf.Runner, dir string, pack []demoDoc) error {
	errs := make([]error, len(pack))
	var wg sync.WaitGroup
	for i, d := range pack {
		wg.Go(func() { errs[i] = r.Create(ctx, filepath.Join(dir, d.file), d.spec) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func addDemoDoc(ctx context.Context, a *app.App, sec web.Actor, meetingID, path string, d demoDoc, items, ids map[string]string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := a.Docs.Stage(f, d.file)
	if err != nil {
		return "", err
	}
	in := docs.NewDocument{Title: d.spec.Title, AgendaItemID: items[d.item], Confidential: len(d.readers) > 0}
	for _, u := range d.readers {
		in.Readers = append(in.Readers, ids[u])
	}
	doc, err := a.Docs.Add(ctx, sec, meetingID, in, st)
	return doc.ID, err
}

// demoPack is the meeting pack, in agenda order.
func demoPack() []demoDoc {
	return []demoDoc{
		{"bao-cao-kt-xh-2025.pdf", "Báo cáo của Ủy ban nhân dân tỉnh", nil, socioEconomicReport()},
		{"to-trinh-du-toan-2026.pdf", "Tờ trình dự toán thu, chi ngân sách", nil, budgetProposal()},
		{"bao-cao-thanh-tra-mat.pdf", "Báo cáo thẩm tra của Ban Kinh tế - Ngân sách", []string{"daibieu1", "daibieu2"}, inspectionReport()},
		{"du-thao-nghi-quyet-kt-xh-2026.pdf", "Nghị quyết về kế hoạch phát triển kinh tế - xã hội năm 2026", nil, draftResolution()},
	}
}
