// What the server's known refusals mean, in our own words. The server
// explains a refusal in English (error.message, for whoever reads logs and
// API clients); the screens must not splice that text into a Vietnamese
// sentence. A refusal with a stable reason word is matched on it, the
// others on the server's message (internal/apperr: the texts below are
// the ones the Go services write; a test keeps them in step).
import { ApiError } from '../api';
import { num, t, type Key } from './index';

interface Refusal {
  /** The HTTP statuses it comes with. */
  status: number[];
  /** The server's message, as written by the service that refuses. */
  match: RegExp;
  key: Key;
  /** The placeholders of the key's string, from what the message matched (a title it quotes). */
  params?: (m: RegExpMatchArray) => Record<string, string>;
  /**
   * The pattern reads a title the message quotes. The others are matched
   * with the quoted parts left out: a title is the user's text, and may say
   * anything ("Báo cáo: the meeting is closed").
   */
  quotes?: boolean;
}

/** A title the server quoted (Go's %q), in the pattern: "…" with \" and \\ inside. */
const Q = String.raw`"((?:[^"\\]|\\.)*)"`;

/** The text of a Go-quoted string's inside. */
export function unquote(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s.replace(/\\(.)/g, '$1'); // an escape JSON does not have (\a, \x7f): keep the character
  }
}

/** The message with what it quotes left out ("" in its place). */
export const withoutQuotes = (msg: string): string => msg.replace(new RegExp(Q, 'g'), '""');

const title = (m: RegExpMatchArray) => ({ title: unquote(m[1]) });
/** A count the message gives (a limit), written as the user's language writes numbers ("10.000"). */
const count = (m: RegExpMatchArray) => ({ n: num(Number(m[1])) });
/** The field a meeting.CleanNote refusal names, as the desk labels it. */
const NOTE_FIELDS: Record<string, Key> = { location: 'desk.details.location', description: 'desk.details.description', reason: 'desk.att.reason' };
const noteField = (m: RegExpMatchArray) => ({ field: t(NOTE_FIELDS[m[1].toLowerCase()]) });

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
  // vote.OpenPoll: a vote opens only while the meeting is in session.
  { status: [409], match: /a poll opens when the meeting is in session/i, key: 'chair.err.pollOpen' },
  // Deleting an agenda item (agenda.DeleteItem and its delete guards): what
  // keeps it. docs.AgendaDeleteGuard names the document, or (a confidential
  // one) only says that one is filed there; any other form of it is still
  // "a document is filed there".
  { status: [409], match: new RegExp(`the document ${Q} is filed under this agenda item`, 'i'), key: 'desk.err.itemHasDoc', params: title, quotes: true },
  { status: [409], match: /confidential document is filed under this agenda item/i, key: 'desk.err.itemHasSecretDoc' },
  { status: [409], match: /is filed under this agenda item/i, key: 'desk.err.itemHasSomeDoc' },
  // vote.AgendaDeleteGuard: a poll prepared for the item, or held on it.
  { status: [409], match: new RegExp(`the poll ${Q} is prepared for this agenda item`, 'i'), key: 'desk.err.itemHasDraftPoll', params: title, quotes: true },
  { status: [409], match: new RegExp(`the poll ${Q} was held on this agenda item`, 'i'), key: 'desk.err.itemHasPoll', params: title, quotes: true },
  // agenda.DeleteItem: an item taken up in the session, or spoken on, stays on the record.
  { status: [409], match: new RegExp(`^${Q} has been taken up in the session`, 'i'), key: 'desk.err.itemTakenUp', params: title, quotes: true },
  { status: [409], match: new RegExp(`someone has the floor on ${Q}`, 'i'), key: 'desk.err.itemFloor', params: title, quotes: true },
  { status: [409], match: new RegExp(`someone has spoken on ${Q}`, 'i'), key: 'desk.err.itemSpoken', params: title, quotes: true },
  { status: [409], match: /stays on the record/i, key: 'desk.err.itemOnRecord' },
  // agenda: the agenda's limits.
  { status: [409], match: /an agenda holds at most (\d+) items/i, key: 'desk.err.agendaFull', params: count },
  { status: [422], match: /an agenda is at most (\d+) levels deep/i, key: 'desk.err.agendaDeep', params: count },
  // agenda.UpdateItem (meeting.CleanNote): an item's conclusion that cannot be kept.
  { status: [400], match: /^conclusion must be at most (\d+) characters/i, key: 'desk.err.conclusionLong', params: count },
  { status: [400], match: /^conclusion must not contain control characters/i, key: 'desk.err.conclusionControl' },
  // meeting.CleanNote: a meeting's location or description, an absence's reason, with a control
  // character (a vertical tab pasted from a word processor); the message names the field.
  { status: [400], match: /^(location|description|reason) must not contain control characters/i, key: 'desk.err.noteControl', params: noteField },
  // meeting: a start time outside what the server keeps (a year typed as 10000).
  { status: [400], match: /^starts_at must be a time between the years/i, key: 'desk.err.date' },
  // The one-line rule (meeting.NotInALine): a title (meeting.CleanTitle: "title must be …", for a
  // meeting, an agenda item or a poll; docs cleanTitle: "title: …", for a document) or a poll's
  // option label (vote cleanLabel) with a line break, a control character or a text-direction
  // control (an invisible U+200F pasted along). The cockpit says "the question" for a poll's title.
  { status: [400], match: /^title(?::| must be) a single line without control characters/i, key: 'desk.err.titleLine' },
  { status: [400], match: /^option (\d+): the label must be a single line without control characters/i, key: 'chair.err.optionLine', params: count },
];

/** What a known refusal means: our key, and what fills its placeholders. */
export interface KnownRefusal {
  key: Key;
  params?: Record<string, string>;
}

/** The known refusal the server gave, else null. */
export function knownRefusal(e: unknown): KnownRefusal | null {
  if (!(e instanceof ApiError)) return null;
  const bare = withoutQuotes(e.message);
  for (const r of KNOWN) {
    if (!r.status.includes(e.status)) continue;
    const m = (r.quotes ? e.message : bare).match(r.match);
    if (m) return r.params ? { key: r.key, params: r.params(m) } : { key: r.key };
  }
  return null;
}

/** Our key for a refusal the server is known to give, else null. */
export function refusalKey(e: unknown): Key | null {
  return knownRefusal(e)?.key ?? null;
}

/** The known refusals' keys (for the dictionaries' test). */
export const refusalKeys = (): Key[] => KNOWN.map((x) => x.key);
