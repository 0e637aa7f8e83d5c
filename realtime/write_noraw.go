//go:build !linux && !darwin && !openbsd

package realtime

import (
	"errors"
	"net"
	"syscall"
)

// rawConn is nil where writes that must not block are not implemented:
// every write is then the writer goroutine's.
func rawConn(net.Conn) syscall.RawConn { return nil }

func writeNonBlocking(syscall.RawConn, [][]byte) (int, error) {
	return 0, errors.New("realtime: no non-blocking writes on this system")
}
