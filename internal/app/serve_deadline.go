package app

import "time"

// defaultBodyIdle is how long a request body may go without a byte
// before the request is cut (nginx's client_body_timeout is 60 s): far
// beyond a pause of a slow but live upload from a tablet on Wi-Fi, short
// enough that stalled requests cannot pile up.
const defaultBodyIdle = 30 * time.Second

// bodyIdle is the configured body idle limit, or the default.
func (c Config) bodyIdle() time.Duration {
	if c.BodyIdleTimeout > 0 {
		return c.BodyIdleTimeout
	}
	return defaultBodyIdle
}
