package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/curia/curia/internal/apperr"
)

// HashParams are the argon2id cost parameters. They are stored inside each
// hash, so raising them later does not break existing passwords.
type HashParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultHashParams follow the OWASP recommendation for argon2id
// (19 MiB, 2 passes, 1 lane).
func DefaultHashParams() HashParams { return HashParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1} }

// FastHashParams are for tests and benchmarks only: they make hashing cheap.
func FastHashParams() HashParams { return HashParams{MemoryKiB: 64, Time: 1, Threads: 1} }

const (
	saltLen = 16
	keyLen  = 32
)

// hashPassword returns a PHC-style argon2id string.
func hashPassword(password string, p HashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the encoded hash, in
// constant time with respect to the key.
func checkPassword(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unknown password hash format")
	}
	var version int
	var p HashParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, errors.New("bad argon2 parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// slot waits for one of the service's hash slots: each argon2id hash holds
// Hash.MemoryKiB (19 MiB) while it runs, so a burst of sign-ins from many
// addresses waits its turn instead of taking the server's memory. A caller
// that gives up while waiting is answered 503. release gives the slot back.
func (s *Service) slot(ctx context.Context) (release func(), err error) {
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, nil
	case <-ctx.Done():
		return nil, &apperr.Error{Kind: apperr.Unavailable, Message: "the server is busy signing people in; try again in a moment",
			RetryAfter: time.Second}
	}
}

// hash hashes a new password within the slots.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	h, err := hashPassword(password, s.cfg.Hash)
	if err != nil {
		return "", apperr.Internalf(err, "hash password")
	}
	return h, nil
}

// check checks a password against a stored hash within the slots.
func (s *Service) check(ctx context.Context, password, encoded string) (bool, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	ok, err := checkPassword(password, encoded)
	if err != nil {
		return false, apperr.Internalf(err, "check password")
	}
	return ok, nil
}
