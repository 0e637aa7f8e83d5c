//go:build !unix

package main

// raiseFileLimit does nothing: there is no open-file limit to lift here.
func raiseFileLimit() {}

// readCPU is zero: the report's CPU columns are read on Unix only.
func readCPU() cpuTime { return cpuTime{} }
