//go:build race

package pdf

// raceEnabled reports a -race build; see limitAddressSpace.
const raceEnabled = true
