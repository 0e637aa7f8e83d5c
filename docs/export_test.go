package docs

// SetAnnotationLimits changes the limits of a running service, for tests
// (small limits) and benchmarks (none to speak of).
func SetAnnotationLimits(s *Service, l AnnotationLimits) { s.store.setAnnotationLimits(l) }
