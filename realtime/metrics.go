package realtime

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the hub's Prometheus instruments, registered on the
// Registerer given in Options (none when it is nil).
type metrics struct {
	connections  prometheus.Gauge
	rooms        prometheus.Gauge
	published    prometheus.Counter
	publishFails prometheus.Counter
	written      prometheus.Counter
	slowDrops    prometheus.Counter
	deferred     prometheus.Counter
	resyncs      prometheus.Counter
	userLimit    *prometheus.CounterVec // outcome: replaced, refused (limit.go)
	latency      prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "curia_live_connections", Help: "Open live websocket connections."}),
		rooms: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "curia_live_rooms", Help: "Meetings with a live room on this node."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_events_published_total", Help: "Events stored and sequenced by this node."}),
		publishFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_publish_failures_total", Help: "Events that could not be stored; their rooms were reset."}),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_messages_written_total", Help: "Messages written to live connections."}),
		slowDrops: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_slow_client_drops_total", Help: "Connections closed because they could not keep up."}),
		deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_writes_deferred_total", Help: "Fan-out writes a socket could not take at once, left to the connection's writer."}),
		resyncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "curia_live_resyncs_total", Help: "Connections told to resync because their resume point was gone or what they missed is no longer theirs to see."}),
		userLimit: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "curia_live_user_connection_limit_total",
			Help: "New connections of a user at the per-meeting bound: replaced (a silent one of theirs was closed) or refused (429)."},
			[]string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "curia_live_fanout_latency_seconds",
			Help:    "Time from publish to the message being written to a client.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.connections, m.rooms, m.published, m.publishFails,
		m.written, m.slowDrops, m.deferred, m.resyncs, m.userLimit, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// wrote counts one message written and, for published ones, its latency.
func (m *metrics) wrote(f *frame) {
	m.written.Inc()
	if f.at.IsZero() {
		return
	}
	// at may come from another node's clock; ignore what cannot be true.
	if d := time.Since(f.at); d >= 0 && d < time.Minute {
		m.latency.Observe(d.Seconds())
	}
}
