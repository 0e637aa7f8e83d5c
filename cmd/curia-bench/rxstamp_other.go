//go:build !linux

package main

import (
	"context"
	"net"
)

// dialStamped dials plainly: receive timestamps are read on Linux only.
func dialStamped(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// received is 0: no kernel receive times here.
func received(net.Conn) int64 { return 0 }
