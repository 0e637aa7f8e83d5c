//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// noEcho turns echo off on the terminal f, keeping line editing (Enter
// ends the line, Backspace works) and Ctrl-C, and returns what puts the
// terminal back. ok is false when f is not a terminal.
func noEcho(f *os.File) (restore func(), ok bool, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false, nil
	}
	var old *unix.Termios
	var ioErr error
	if err := rc.Control(func(fd uintptr) { old, ioErr = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); err != nil || ioErr != nil {
		return nil, false, nil // not a terminal
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := rc.Control(func(fd uintptr) { ioErr = unix.IoctlSetTermios(int(fd), unix.TCSETS, &quiet) }); err != nil || ioErr != nil {
		if err == nil {
			err = ioErr
		}
		return nil, true, err
	}
	return func() {
		_ = rc.Control(func(fd uintptr) { _ = unix.IoctlSetTermios(int(fd), unix.TCSETS, old) })
	}, true, nil
}
