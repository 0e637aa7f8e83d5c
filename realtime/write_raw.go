//go:build linux || darwin || openbsd

package realtime

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// rawConn returns the socket under nc for writes that must not block, or
// nil when nc is not a plain TCP connection (TLS, a wrapper, a pipe):
// then every write is the writer goroutine's.
func rawConn(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// writeNonBlocking writes bufs with one writev(2) on the non-blocking
// socket and returns how many bytes it took: fewer than all, or none,
// when its buffer is full. An error means the connection is broken.
func writeNonBlocking(raw syscall.RawConn, bufs [][]byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		n, werr = unix.Writev(int(fd), bufs)
		return true // never wait for the socket: that is the writer goroutine's job
	})
	switch {
	case err != nil:
		return 0, err
	case errors.Is(werr, unix.EAGAIN), errors.Is(werr, unix.EINTR):
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return max(n, 0), nil
}
