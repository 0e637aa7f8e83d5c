package docs

import "sync"

// HoldStamping makes every watermarked copy stamped by s from now on wait,
// once its file is written and before it is renamed into copies/, until
// release is called (after which none waits). reached is sent the copy
// id of each copy as it starts waiting, so that a test knows a copy is
// being stamped at the moment it changes the document, without sleeping.
func HoldStamping(s *Service) (reached <-chan string, release func()) {
	gate := make(chan struct{})
	ids := make(chan string, 100)
	hook := func(copyID string) {
		select {
		case ids <- copyID:
		default:
		}
		<-gate
	}
	s.marks.beforeRename.Store(&hook)
	var once sync.Once
	return ids, func() { once.Do(func() { close(gate) }) }
}
