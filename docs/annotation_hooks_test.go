package docs

import "time"

// GatherNext makes the next annotation group commit wait (up to 5 s)
// until n creates are queued, so that a test knows they are written and
// announced together.
func GatherNext(s *Service, n int) {
	s.commits.mu.Lock()
	defer s.commits.mu.Unlock()
	s.commits.gate = func(queued func() int) {
		for end := time.Now().Add(5 * time.Second); queued() < n && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
	}
}
