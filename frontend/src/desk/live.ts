// The desk listens to the meeting's live hub so that changes made by others
// (a check-in, the chair moving the meeting along, an upload from another
// desk) appear without a reload. It does not follow the presenter, and it
// refetches what an event touches rather than keeping a second copy of the
// room's state rules.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { wakeOnReturn } from '../live/slices';
import { LiveSocket, liveURL } from '../live/socket';
import type { LiveEvent } from '../types';

export type Slice = 'meeting' | 'participants' | 'attendance' | 'agenda' | 'documents';
export const ALL_SLICES: Slice[] = ['meeting', 'participants', 'attendance', 'agenda', 'documents'];

/** Which part of the desk an event changes; null for the rest. */
export function sliceOfEvent(type: string): Slice[] {
  if (type === 'meeting.updated') return ['meeting'];
  // The meeting too: its my_role (what this desk may do) may be the one that changed.
  if (type === 'participants.changed') return ['participants', 'attendance', 'meeting'];
  if (type === 'attendance.changed') return ['attendance'];
  if (type === 'agenda.changed' || type === 'agenda.current') return ['agenda'];
  if (type.startsWith('document.')) return ['documents'];
  return [];
}

/**
 * Connects to the live hub of a meeting while mounted and calls refetch with
 * the slices to reload (all of them after a snapshot or resync); apply, if
 * given, sees each event as it comes (for an event whose data is the new
 * state, e.g. quorum.changed, rather than a reason to refetch). When the
 * hub refuses it (4003: access or session changed) or reconnecting keeps
 * failing, it checks the session (a 401 sends the person to the login) and,
 * once back, reloads the meeting and its participants (this user's role may
 * have changed, and a resumed stream brings no snapshot). Returns whether it
 * is connected.
 */
export function useDeskLive(meetingId: string | null, refetch: (slices: Slice[]) => void, apply?: (ev: LiveEvent) => void): boolean {
  const [online, setOnline] = useState(false);
  const cb = useRef(refetch);
  cb.current = refetch;
  const onEvent = useRef(apply);
  onEvent.current = apply;
  useEffect(() => {
    if (!meetingId) return;
    let first = true;
    let pending = new Set<Slice>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let recheck = false; // refused or failing: reload the meeting once back
    const later = (s: Slice[]) => {
      s.forEach((x) => pending.add(x));
      clearTimeout(timer);
      timer = setTimeout(() => {
        const list = [...pending];
        pending = new Set();
        if (list.length) cb.current(list);
      }, 120);
    };
    const sock = new LiveSocket({ url: liveURL(meetingId) }, {
      snapshot: () => {
        // The desk loads everything itself on mount; later snapshots mean a reconnect.
        if (!first) later(ALL_SLICES);
        first = false;
      },
      event: (ev: LiveEvent) => {
        onEvent.current?.(ev);
        later(sliceOfEvent(ev.type));
      },
      resync: () => later(ALL_SLICES),
      status: (on) => {
        setOnline(on);
        if (!on) return;
        sock.setFollowing(false);
        if (recheck) {
          recheck = false;
          later(['meeting', 'participants']);
        }
      },
      failing: () => {
        recheck = true;
        void api.me().catch(() => {});
      },
    });
    sock.start();
    const unwatch = wakeOnReturn(sock);
    return () => {
      unwatch();
      clearTimeout(timer);
      sock.stop();
    };
  }, [meetingId]);
  return online;
}
