package main

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A stamped connection reports when the data reached the socket, not when
// it was read: here the reader comes 50 ms late, and the stamp falls
// between the write and the read.
func TestStampedConnReceiveTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	wrote := make(chan int64, 2)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		// Only once the client asked for stamps: data that came before is
		// not stamped.
		if _, err := c.Read(make([]byte, 1)); err != nil {
			return
		}
		for _, msg := range []string{"first", "second"} {
			wrote <- time.Now().UnixNano()
			_, _ = c.Write([]byte(msg))
			time.Sleep(100 * time.Millisecond)
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
	if _, err := nc.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	for _, want := range []string{"first", "second"} {
		sent := <-wrote
		time.Sleep(50 * time.Millisecond)
		before := time.Now().UnixNano()
		n, err := nc.Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
		at := received(nc)
		if at < sent || at > before-40*int64(time.Millisecond) {
			t.Fatalf("%s: stamped %v after the write and %v before the read; want after the write and about 50 ms before the read",
				want, time.Duration(at-sent), time.Duration(before-at))
		}
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
	ts := make([]byte, 16)
	binary.NativeEndian.PutUint64(ts[0:8], 1_700_000_000)
	binary.NativeEndian.PutUint64(ts[8:16], 123_456_789)
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
