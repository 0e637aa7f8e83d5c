// Package ids makes opaque identifiers and secrets.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"strings"
)

var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns a random 128-bit identifier as 26 lowercase characters. It
// carries no time or order, so it reveals nothing about when a row was made.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return enc.EncodeToString(b[:])
}

// Short returns a random identifier of n base32 characters, for things a
// person reads aloud or types (a watermark copy id).
func Short(n int) string {
	b := make([]byte, (n*5+7)/8)
	_, _ = rand.Read(b)
	return strings.ToUpper(enc.EncodeToString(b)[:n])
}

// Secret returns 32 random bytes, base64url-encoded: a bearer token.
func Secret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
