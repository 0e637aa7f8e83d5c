// What the server's known refusals mean, in our own words. The server
// explains a refusal in English (error.message, for whoever reads logs and
// API clients); the screens must not splice that text into a Vietnamese
// sentence. A refusal with a stable reason word is matched on it, the
// others on the server's message (internal/apperr: the texts below are
// the ones the Go services write; a test keeps them in step).
import { ApiError } from '../api';
import type { Key } from './index';

interface Refusal {
  /** The HTTP statuses it comes with. */
  status: number[];
  /** The server's message, as written by the service that refuses. */
  match: RegExp;
  key: Key;
}

const KNOWN: Refusal[] = [
  // vote.MeetingCloseGuard: closing (or adjourning) a meeting with a vote open.
  { status: [409], match: /a vote is still open in this meeting/i, key: 'chair.err.openVote' },
  // meeting.writable: anything in a closed meeting.
  { status: [409], match: /the meeting is closed/i, key: 'desk.errClosed' },
  // meeting.Access.Live, agenda, vote: what needs the meeting in session.
  { status: [409], match: /the meeting is not in session/i, key: 'desk.errNotLive' },
  // meeting: a move between statuses that does not exist.
  { status: [409], match: /a \w+ meeting cannot become \w+/i, key: 'chair.err.status' },
  // meeting.participants: the last secretary.
  { status: [409], match: /a meeting needs a secretary/i, key: 'desk.errNeedSecretary' },
  // agenda: someone else has the floor.
  { status: [409], match: /someone else has the floor/i, key: 'chair.err.floorTaken' },
  // account.store: a username already in use.
  { status: [409], match: /the username .* is taken/i, key: 'admin.err.taken' },
  // account: an administrator acting on themselves.
  { status: [409], match: /cannot remove your own administrator right/i, key: 'admin.err.selfAdmin' },
  { status: [409], match: /you cannot disable yourself/i, key: 'admin.err.selfDisable' },
];

/** Our key for a refusal the server is known to give, else null. */
export function refusalKey(e: unknown): Key | null {
  if (!(e instanceof ApiError)) return null;
  const r = KNOWN.find((x) => x.status.includes(e.status) && x.match.test(e.message));
  return r ? r.key : null;
}

/** The known refusals' keys (for the dictionaries' test). */
export const refusalKeys = (): Key[] => KNOWN.map((x) => x.key);
