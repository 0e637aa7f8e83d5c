//go:build !unix

package main

import "time"

// cpuTime is zero: the report's CPU figures are read on Unix only.
func cpuTime() time.Duration { return 0 }
