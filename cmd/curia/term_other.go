//go:build !linux

package main

import "os"

// noEcho is not supported here: the password is read as any other input
// (see term_linux.go).
func noEcho(*os.File) (restore func(), ok bool, err error) { return nil, false, nil }
