package docs

import (
	"sync"
	"sync/atomic"
)

// HoldStamping makes every watermarked copy stamped by s from now on wait,
// once its file is written and before it is renamed into copies/, until
// release is called (after which none waits). reached is sent the copy
// id of each copy as it starts waiting, so that a test knows a copy is
// being stamped at the moment it changes the document, without sleeping.
func HoldStamping(s *Service) (reached <-chan string, release func()) {
	return hold(&s.marks.beforeRename)
}

// HoldExportDrawing makes every annotated export of a confidential
// document by s from now on wait, once it has the reader's stamped copy
// (marks.path returned it) and before the PDF worker is asked to draw
// into it, until release is called (after which none waits). reached is
// sent the copy id of each export as it starts waiting, so that a test
// can change the document between the two, without sleeping.
func HoldExportDrawing(s *Service) (reached <-chan string, release func()) {
	return hold(&s.marks.beforeExport)
}

// hold sets hook to one that reports each copy id on reached and waits
// until release.
func hold(hook *atomic.Pointer[func(copyID string)]) (reached <-chan string, release func()) {
	gate := make(chan struct{})
	ids := make(chan string, 100)
	wait := func(copyID string) {
		select {
		case ids <- copyID:
		default:
		}
		<-gate
	}
	hook.Store(&wait)
	var once sync.Once
	return ids, func() { once.Do(func() { close(gate) }) }
}
