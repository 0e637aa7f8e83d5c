// Package realtime is Curia's websocket hub: one room per meeting, every
// event of a meeting numbered, stored and fanned out to the room's clients,
// with resume after a dropped connection, presence, follow state, and
// delivery across nodes through PostgreSQL.
//
// The hub implements event.Publisher. Domain packages publish through that
// interface after their transaction commits; realtime imports no domain
// package. The app supplies who may connect (Authorizer) and what the live
// state of a meeting is (Snapshotter).
//
// # Use
//
//	hub, err := realtime.New(realtime.Options{DB: db, Authorizer: a, Snapshotter: s,
//		Logger: log, Metrics: registry, AllowedOrigins: cfg.AllowedOrigins})
//	api.GET("/meetings/:id/live", hub.EchoHandler("id")) // or mux.Handle(…/{id}/live, hub.Handler())
//	meetings := meeting.NewService(db, hub)               // hub is the event.Publisher
//	hub.Handle("pointer", presenterPointer)               // app-defined client messages
//	…
//	hub.Close(ctx) // on shutdown: hijacked connections are not the HTTP server's
//
// Add Migration() to the migration steps.
//
// Disconnect, DisconnectUser and DisconnectSession close connections
// whose access changed, on every node; Options.UserDisconnected lets the
// app drop cached sessions on each node first. On PostgreSQL they are
// stored for a while, like a room reset after a publish that failed, so
// that a node whose listener was reconnecting carries them out when it
// listens again; a listener that hears nothing, not even its own ping,
// for three heartbeats reconnects (pgcontrols.go). A connection also ends
// with its session: at Viewer.SessionExpires, and when Options.Sessions,
// which keeps the sessions of open connections in use every SessionCheck,
// reports the session ended (sessions.go).
//
// # Wire protocol
//
// Server to client, one JSON object per text frame:
//
//	{"type":"snapshot","seq":N,"data":{"epoch":E,"state":…,"online":[…],"following":{…}}}
//	    first message of every connection. N is the room's current sequence
//	    number; the client applies events with seq > N. "state" is the
//	    Snapshotter's output and is omitted when the connection resumes
//	    ("resumed":true), because the replay follows instead. "following"
//	    is present for viewers who may manage the meeting only.
//	{"seq":42,"type":"presentation.changed","data":{…}}
//	    a sequenced event. Seqs reach each client contiguous and in order.
//	{"seq":43,"type":"skip"}
//	    a sequenced event the client may not see (its Audience or Exclude
//	    rules the user out); it keeps the sequence contiguous and reveals
//	    nothing else.
//	{"type":"resync"}
//	    the events after ?since are no longer kept (or the stream was reset),
//	    or Options.Replay found some of them no longer the viewer's to see
//	    (replay.go), or the viewer's rights are not those the client's
//	    state was built with (rights.go): drop cached state and refetch.
//	    A full snapshot follows at once.
//	{"type":"presence.joined","data":{"users":[{"user_id","name","role"},…]}}
//	{"type":"presence.left","data":{"user_ids":[…]}}
//	    batched, at most every FollowInterval: who came and went since the
//	    last batch; a user with two tabs counts once.
//	{"type":"follow.changed","data":{"following":34,"online":40,"not_following":[…]}}
//	    to managers only, when the counts change, at most every FollowInterval.
//	{"type":"pong"}
//	{"type":"error","data":{"code":…,"message":…}}
//	any type passed to Hub.Broadcast, without seq.
//
// Presence, follow and broadcast messages are ephemeral: no seq, not stored,
// not replayed. The snapshot's "online" list is the list as of the last
// presence batch, so the batches that follow it bring the client up to
// date. Presence and follow counts cover every node: on PostgreSQL each
// node broadcasts its people per room (after each batch that changed them
// and every PresenceHeartbeat), and nodes merge them by node id; people
// on another node appear a batch or so later, those of a node that shuts
// down leave at once, those of a silent node after three heartbeats.
//
// Publish uses group commit: concurrent publishers are written in one
// transaction per group, seqs in queue order, each caller returning once
// its events are stored and fanned out. Fan-out queues the frame for every
// member under the room's lock; then a few goroutines (one per 128
// members) write each connection's queue with non-blocking writev system
// calls (64 frames or 64 KB each). What a full socket does not take goes
// to that connection's own writer goroutine, which waits for it (up to
// WriteWait), and also sends the pings and the close frame. A fan-out of
// nothing but Options.Paced events (the app's strokes) is paced: each of
// those goroutines pauses PaceGap after every PaceChunk of its
// connections, and any other event is written at once (pace.go).
//
// Client to server:
//
//	{"type":"ping"}                      answered with pong
//	{"type":"follow","following":bool}   the user follows the presenter (default true)
//	{"type":T,"data":…}                  a type registered with Hub.Handle
//
// The query string may carry since=N (the last seq the client processed)
// and epoch=E (from its last snapshot: the stream's epoch and a tag of the
// rights the snapshot was built with, rights.go): the hub then replays
// N+1… in order, or sends resync when it cannot. following=false connects a
// tablet that is browsing on its own.
//
// A snapshot is taken after the connection has joined the room at seq N,
// so it may already reflect events after N that the client will then also
// receive: events must be idempotent state updates ("page is 5"), not
// deltas. A client never misses an event and never sees a seq twice.
//
// # Close codes
//
//	1000 normal closure
//	1001 going away: the hub is shutting down; reconnect with since
//	1008 policy violation: message flood
//	1009 message too big (over the read limit)
//	1013 try again later: the client could not keep up; reconnect with since
//	4001 resync: the server lost the stream; reconnect WITHOUT since
//	4003 access changed: Disconnect (removed from the meeting, another
//	     role), DisconnectUser (disabled, admin right changed),
//	     DisconnectSession (logged out); reconnect, which may be refused.
//	     A connection admitted meanwhile is authorised again (admit.go).
//	     A reconnection with since whose state was built with other
//	     rights is answered with resync and a full snapshot (rights.go).
//	     With the reason "session ended": the session's lifetime is over,
//	     or Options.Sessions found it ended; reconnecting is refused (401).
//	4029 replaced: the connection had been silent for 1.2 PingIntervals and
//	     its user opened one more than MaxUserConns (limit.go)
//
// Errors before the upgrade are plain HTTP: 400 bad since, 401 not signed
// in, 403 foreign Origin, 404 not a participant, 429 the user's
// MaxUserConns connections to the meeting are all alive (with
// Retry-After), 503 database unavailable, with the body
// {"error":{"code","message"}}.
package realtime
