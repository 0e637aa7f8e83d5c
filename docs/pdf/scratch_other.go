//go:build !unix

package pdf

import "os"

// Outside Unix the owner lock is not taken: the sweep goes by age.

func lockScratch(string) (*os.File, error) { return nil, nil }

func ownerAlive(string) ownerState { return ownerMissing }
