package docs

// QueuedAnnotationCreates reports how many annotation creates wait in
// the group-commit queue (review tests: to know a request has read the
// document and queued before the test changes the document's access).
func QueuedAnnotationCreates(s *Service) int {
	s.commits.mu.Lock()
	defer s.commits.mu.Unlock()
	return len(s.commits.queue)
}
