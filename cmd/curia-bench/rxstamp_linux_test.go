package main

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A stamped connection reports when the data reached the socket, not when
// it was read: here the reader comes 50 ms late, and the stamp falls
// between the write and the read. When more data comes before the read,
// the kernel merges it into what was waiting, and the stamp is that of
// the newest: late, never early.
func TestStampedConnReceiveTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	wrote := make(chan int64, 4)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		// 'w': one byte back (until stamps are on); 'g': the messages.
		cmd := make([]byte, 1)
		for {
			if _, err := c.Read(cmd); err != nil {
				return
			}
			if cmd[0] == 'g' {
				break
			}
			_, _ = c.Write(cmd)
		}
		for _, msg := range []string{"first", "second"} {
			wrote <- time.Now().UnixNano()
			_, _ = c.Write([]byte(msg))
			time.Sleep(100 * time.Millisecond)
		}
		for _, msg := range []string{"late", "+more"} {
			wrote <- time.Now().UnixNano()
			_, _ = c.Write([]byte(msg))
			time.Sleep(40 * time.Millisecond)
		}
	}()
	nc, err := dialStamped(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, ok := nc.(*stampedConn); !ok {
		t.Fatalf("got a %T, want a stamped connection", nc)
	}
	if got := received(nc); got != 0 {
		t.Fatalf("stamp before any read: %d", got)
	}
	// The first socket of the machine to ask for stamps turns them on a
	// moment later: data before that has none.
	buf := make([]byte, 64)
	for deadline := time.Now().Add(2 * time.Second); received(nc) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no receive time within 2 s")
		}
		if _, err := nc.Write([]byte{'w'}); err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := nc.Write([]byte{'g'}); err != nil {
		t.Fatal(err)
	}
	read := func(want string) (at, before int64) {
		t.Helper()
		before = time.Now().UnixNano()
		_ = nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := io.ReadAtLeast(nc, buf, len(want))
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
		return received(nc), before
	}
	for _, want := range []string{"first", "second"} {
		sent := <-wrote
		time.Sleep(50 * time.Millisecond)
		at, before := read(want)
		if at < sent || at > before-40*int64(time.Millisecond) {
			t.Fatalf("%s: stamped %v after the write and %v before the read; want after the write and about 50 ms before the read",
				want, time.Duration(at-sent), time.Duration(before-at))
		}
	}
	// "late" is read only after "+more" came 40 ms later: read together,
	// both carry the time of "+more".
	<-wrote
	later := <-wrote
	time.Sleep(20 * time.Millisecond)
	at, before := read("late+more")
	if at < later || at > before {
		t.Fatalf("late+more: stamped %v after the second write and %v before the read; want the second write's arrival",
			time.Duration(at-later), time.Duration(before-at))
	}
	_ = nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := nc.Read(buf); err != io.EOF {
		t.Fatalf("after the peer closed: %v, want EOF", err)
	}
}

// The read deadline holds for a stamped connection as for any other.
func TestStampedConnDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			time.Sleep(time.Second)
			c.Close()
		}
	}()
	nc, err := dialStamped(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err = nc.Read(make([]byte, 8))
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("read with a 50 ms deadline: %v after %v, want a timeout", err, time.Since(start))
	}
}

func TestTimestampNS(t *testing.T) {
	cmsg := func(level, typ int32, data []byte) []byte {
		b := make([]byte, unix.CmsgSpace(len(data)))
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Level, h.Type = level, typ
		h.SetLen(unix.CmsgLen(len(data)))
		copy(b[unix.CmsgLen(0):], data)
		return b
	}
	spec := unix.NsecToTimespec(1_700_000_000_123_456_789)
	ts := unsafe.Slice((*byte)(unsafe.Pointer(&spec)), unsafe.Sizeof(spec))
	want := int64(1_700_000_000_123_456_789)
	other := cmsg(unix.SOL_SOCKET, unix.SCM_RIGHTS, make([]byte, 4))
	for name, tc := range map[string]struct {
		oob  []byte
		want int64
	}{
		"alone":         {cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts), want},
		"after another": {append(other, cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts)...), want},
		"none":          {other, 0},
		"empty":         {nil, 0},
		"cut short":     {cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts)[:20], 0},
		"other level":   {cmsg(unix.IPPROTO_TCP, unix.SCM_TIMESTAMPNS, ts), 0},
		"length too big": {func() []byte {
			b := cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts)
			(*unix.Cmsghdr)(unsafe.Pointer(&b[0])).SetLen(200)
			return b
		}(), 0},
	} {
		if got := timestampNS(tc.oob); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
}
