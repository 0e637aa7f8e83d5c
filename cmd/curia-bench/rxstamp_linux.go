package main

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// stampedConn is a client's TCP connection that reads with recvmsg and
// keeps the kernel's receive time of what it read last (SO_TIMESTAMPNS:
// when the data reached the socket, before any goroutine of this process
// ran to read it). Hundreds of bench tablets share two cores with the
// server, so a tablet's reader can wait for a core long after its page
// turn arrived; a real tablet has a core of its own. The receive time
// tells the two delays apart.
//
// For TCP the kernel reports the time of the newest segment a read took,
// and a segment that comes while an earlier one is still unread is
// merged into it, taking the newer time. So a message is stamped at or
// after its arrival, never before (on loopback, where nothing is lost
// and resent out of order), and exactly when nothing came after it
// before it was read. A reader that is late while more data follows (a
// page turn, then a batch of strokes, while delegates draw) stamps the
// page turn with the strokes' arrival: the socket time is then an upper
// bound, not the server's delivery alone.
type stampedConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	oob  []byte
	last atomic.Int64 // unix ns of the newest segment read; 0 none yet
}

// dialStamped dials TCP and asks for receive timestamps; where the kernel
// refuses them, the connection reads plainly and received returns 0.
func dialStamped(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nc, nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nc, nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nc, nil
	}
	return &stampedConn{TCPConn: tc, raw: raw, oob: make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))))}, nil
}

func (c *stampedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n, oobn int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), p, c.oob, unix.MSG_DONTWAIT)
		return rerr != unix.EAGAIN // false: wait until readable (or the read deadline)
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: rerr}
	case n == 0:
		return 0, io.EOF
	}
	// A read without a stamp (data that came before stamps were asked
	// for) makes the time unknown rather than leaving an older one.
	c.last.Store(timestampNS(c.oob[:oobn]))
	return n, nil
}

// timestampNS finds SCM_TIMESTAMPNS among control messages: unix ns, or 0.
func timestampNS(oob []byte) int64 {
	hdr := unix.CmsgLen(0)
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			return 0
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && l-hdr >= int(unsafe.Sizeof(unix.Timespec{})) {
			var ts unix.Timespec // the platform's own layout (32-bit fields on 32-bit Linux)
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&ts)), unsafe.Sizeof(ts)), oob[hdr:l])
			return ts.Nano()
		}
		oob = oob[min(len(oob), unix.CmsgSpace(l-hdr)):]
	}
	return 0
}

// received is the kernel's receive time of the newest data read from nc
// (unix ns), or 0 when nc does not keep one.
func received(nc net.Conn) int64 {
	if c, ok := nc.(*stampedConn); ok {
		return c.last.Load()
	}
	return 0
}
