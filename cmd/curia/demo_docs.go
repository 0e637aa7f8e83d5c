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

// seedDemoDocuments gives the demo meeting its pack, once (when it has
// no documents yet), and puts the first document's page 1 before the
// room, so a newcomer sees live page sync at once.
func seedDemoDocuments(ctx context.Context, a *app.App, meetingID string) error {
	ids, err := demoUserIDs(ctx, a)
	if err != nil {
		return err
	}
	sec := web.Actor{UserID: ids["thuky"], Username: "thuky", FullName: "Trần Thị Bình"}
	if have, err := a.Docs.List(ctx, sec, meetingID); err != nil || len(have) > 0 {
		return err
	}
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
	pack := demoPack()
	if err := makeDemoPDFs(ctx, a.PDF, dir, pack); err != nil {
		return fmt.Errorf("demo documents: %w", err)
	}
	var first string
	for _, d := range pack {
		id, err := addDemoDoc(ctx, a, sec, meetingID, filepath.Join(dir, d.file), d, items, ids)
		if err != nil {
			return fmt.Errorf("demo document %s: %w", d.file, err)
		}
		if first == "" {
			first = id
		}
	}
	chair := web.Actor{UserID: ids["chutri"], Username: "chutri"}
	_, err = a.Present.Set(ctx, chair, meetingID, presentation.Input{DocumentID: &first, Page: 1})
	return err
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
