package app

import "time"

// defaultBodyIdle is how long a request body may go without a byte
// before the request is cut (nginx's client_body_timeout is 60 s): far
// beyond a pause of a slow but live upload from a tablet on Wi-Fi, short
// enough that stalled requests cannot pile up.
const defaultBodyIdle = 30 * time.Second

// defaultBodyMinRate is the least a request body must average once it
// has had the idle limit to start: 1 KiB/s, a hundred times below the
// worst Wi-Fi a meeting room has, so only a body trickled on purpose
// (a byte every 29 s keeps within the idle limit for ever) is cut.
const defaultBodyMinRate = 1 << 10

// bodyMinRate is the configured minimum body rate, or the default.
func (c Config) bodyMinRate() int64 {
	if c.BodyMinRate > 0 {
		return c.BodyMinRate
	}
	return defaultBodyMinRate
}

// bodyIdle is the configured body idle limit, or the default.
func (c Config) bodyIdle() time.Duration {
	if c.BodyIdleTimeout > 0 {
		return c.BodyIdleTimeout
	}
	return defaultBodyIdle
}
