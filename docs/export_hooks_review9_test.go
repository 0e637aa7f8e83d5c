package docs

import "sync"

// HoldExportDrawing makes every annotated export of a confidential
// document by s from now on wait, once it has the reader's stamped copy
// (marks.path returned it) and before the PDF worker is asked to draw
// into it, until release is called (after which none waits). reached is
// sent the copy id of each export as it starts waiting, so that a test
// can change the document between the two, without sleeping.
func HoldExportDrawing(s *Service) (reached <-chan string, release func()) {
	gate := make(chan struct{})
	ids := make(chan string, 100)
	hook := func(copyID string) {
		select {
		case ids <- copyID:
		default:
		}
		<-gate
	}
	s.marks.beforeExport.Store(&hook)
	var once sync.Once
	return ids, func() { once.Do(func() { close(gate) }) }
}
