// The audit log screen's pure parts: the query it sends, the names it
// shows for actions and objects, and the CSV it downloads.
import type { Key } from '../i18n';

/** One entry of GET /audit (api/openapi.yaml, AuditEntry). */
export interface AuditEntry {
  id: number;
  at: string;
  actor_id?: string;
  action: string;
  object?: string;
  meeting_id?: string;
  detail?: Record<string, unknown>;
  client_ip?: string;
}

export interface AuditFilter {
  meetingId: string;
  actorId: string;
  action: string;
  /** "kind:id", e.g. document:ID */
  object: string;
}

export const PAGE = 100;

/** The query string of GET /audit for a filter and, to page back, the oldest id shown. */
export function auditQuery(f: AuditFilter, beforeId?: number): string {
  const q = new URLSearchParams();
  if (f.meetingId) q.set('meeting_id', f.meetingId);
  if (f.actorId) q.set('actor_id', f.actorId);
  if (f.action) q.set('action', f.action);
  if (f.object) q.set('object', f.object);
  if (beforeId !== undefined) q.set('before_id', String(beforeId));
  q.set('limit', String(PAGE));
  return q.toString();
}

/**
 * The actions the server writes, grouped as the filter lists them, each
 * with the key of its name. An action the table does not know is shown as
 * the server spells it.
 */
export const ACTION_GROUPS: { group: Key; actions: [string, Key][] }[] = [
  {
    group: 'audit.g.access',
    actions: [
      ['document.opened', 'audit.a.documentOpened'],
      ['document.exported', 'audit.a.documentExported'],
      ['presentation.shown', 'audit.a.presentationShown'],
      ['presentation.stopped', 'audit.a.presentationStopped'],
      ['minutes.exported', 'audit.a.minutesExported'],
      ['poll.results_exported', 'audit.a.pollResultsExported'],
    ],
  },
  {
    group: 'audit.g.accounts',
    actions: [
      ['login.succeeded', 'audit.a.loginSucceeded'],
      ['login.failed', 'audit.a.loginFailed'],
      ['login.limited', 'audit.a.loginLimited'],
      ['logout', 'audit.a.logout'],
      ['user.created', 'audit.a.userCreated'],
      ['user.updated', 'audit.a.userUpdated'],
    ],
  },
  {
    group: 'audit.g.meetings',
    actions: [
      ['meeting.created', 'audit.a.meetingCreated'],
      ['meeting.updated', 'audit.a.meetingUpdated'],
      ['meeting.status', 'audit.a.meetingStatus'],
      ['participant.set', 'audit.a.participantSet'],
      ['participant.removed', 'audit.a.participantRemoved'],
      ['attendance.recorded', 'audit.a.attendanceRecorded'],
      ['agenda.item_created', 'audit.a.itemCreated'],
      ['agenda.item_updated', 'audit.a.itemUpdated'],
      ['agenda.item_deleted', 'audit.a.itemDeleted'],
      ['agenda.reordered', 'audit.a.agendaReordered'],
      ['agenda.current', 'audit.a.agendaCurrent'],
      ['speaker.enqueued', 'audit.a.speakerEnqueued'],
      ['speaker.started', 'audit.a.speakerStarted'],
      ['speaker.finished', 'audit.a.speakerFinished'],
      ['speaker.cancelled', 'audit.a.speakerCancelled'],
    ],
  },
  {
    group: 'audit.g.documents',
    actions: [
      ['document.uploaded', 'audit.a.documentUploaded'],
      ['document.version_added', 'audit.a.documentVersion'],
      ['document.updated', 'audit.a.documentUpdated'],
      ['document.access_set', 'audit.a.documentAccess'],
      ['document.reader_dropped', 'audit.a.documentReaderDropped'],
      ['document.deleted', 'audit.a.documentDeleted'],
      ['annotation.created', 'audit.a.annotationCreated'],
      ['annotation.shared', 'audit.a.annotationShared'],
      ['annotation.updated', 'audit.a.annotationUpdated'],
      ['annotation.unshared', 'audit.a.annotationUnshared'],
      ['annotation.deleted', 'audit.a.annotationDeleted'],
    ],
  },
  {
    group: 'audit.g.votes',
    actions: [
      ['poll.created', 'audit.a.pollCreated'],
      ['poll.opened', 'audit.a.pollOpened'],
      ['poll.closed', 'audit.a.pollClosed'],
      ['poll.published', 'audit.a.pollPublished'],
      ['poll.cancelled', 'audit.a.pollCancelled'],
      ['poll.detached', 'audit.a.pollDetached'],
      ['vote.cast', 'audit.a.voteCast'],
    ],
  },
];

const actionKeys = new Map<string, Key>(ACTION_GROUPS.flatMap((g) => g.actions));

/** The key of an action's name, or null for one this table does not know. */
export function actionKey(action: string): Key | null {
  return actionKeys.get(action) ?? null;
}

/** What the app knows of the ids an entry names. */
export interface Names {
  users: Map<string, { username: string; full_name: string }>;
  meetings: Map<string, string>;
  documents: Map<string, string>;
  /** Agenda items' titles, as the entries tell them. */
  items?: Map<string, string>;
}

/** "Full name (username)", or the id when the user is not known (deleted, or the system: ''). */
export function personName(names: Names, id: string | undefined): string {
  if (!id) return '';
  const u = names.users.get(id);
  return u ? `${u.full_name} (${u.username})` : id;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The kind of an entry's object ("document", "user", "agenda_item", …) and
 * its name when known. The entry's detail names some of them: an agenda
 * item by its title, a speaker's turn by the speaker, an annotation by
 * its document. A document (or an annotation's document) is named as the
 * meeting's list names it now; one the list does not know (deleted since)
 * by the title its entry tells, as it was then (detail.title, which the
 * server gives for an open document only: a confidential one that this
 * administrator may not read keeps its id).
 */
export function describeObject(names: Names, object: string | undefined, detail?: Record<string, unknown>): { kind: string; name: string } {
  if (!object) return { kind: '', name: '' };
  const i = object.indexOf(':');
  const kind = i < 0 ? '' : object.slice(0, i);
  const id = i < 0 ? object : object.slice(i + 1);
  const doc = text(detail?.document_id);
  const speaker = text(detail?.user_id);
  const name =
    kind === 'user' ? personName(names, id)
    : kind === 'meeting' ? names.meetings.get(id) ?? id
    : kind === 'document' ? names.documents.get(id) ?? (text(detail?.title) || id)
    : kind === 'agenda_item' ? text(detail?.title) || names.items?.get(id) || id
    : kind === 'speaker' && speaker ? personName(names, speaker)
    : kind === 'annotation' ? (doc ? names.documents.get(doc) : undefined) ?? (text(detail?.title) || id)
    : id;
  return { kind, name };
}

/** Agenda items' titles learnt from entries, each with the id of the entry that told it. */
export type ItemTitles = ReadonlyMap<string, { title: string; entry: number }>;

/**
 * Learns the agenda items' titles the entries tell into known: an item is
 * named by the title of its newest entry (the highest id) that tells one,
 * whatever order the entries and their pages come in. An older page's
 * "created as <former title>" does not rename an item renamed since.
 * Returns the new titles, or null when nothing changed.
 */
export function learnItemTitles(known: ItemTitles, entries: AuditEntry[]): Map<string, { title: string; entry: number }> | null {
  let out: Map<string, { title: string; entry: number }> | null = null;
  for (const e of entries) {
    const title = text(e.detail?.title);
    if (!e.object?.startsWith('agenda_item:') || !title) continue;
    const id = e.object.slice('agenda_item:'.length);
    const had = (out ?? known).get(id);
    if (had && had.entry >= e.id) continue;
    out ??= new Map(known);
    out.set(id, { title, entry: e.id });
  }
  return out;
}

/**
 * Document titles the entries tell (an open document's upload, change or
 * deletion carries its title): a document deleted since is named by its
 * entries. A confidential document's entries carry no title (the server
 * keeps it from administrators who may not read the document): it is
 * named only if this administrator finds it in the meeting's list.
 */
export function titlesIn(entries: AuditEntry[]): [string, string][] {
  const out: [string, string][] = [];
  for (const e of entries) {
    const title = e.detail?.title;
    if (e.object?.startsWith('document:') && typeof title === 'string' && title) out.push([e.object.slice('document:'.length), title]);
  }
  return out;
}

/**
 * The documents the entries are about: an entry's object ("document:ID"),
 * or the document an annotation is on (detail.document_id), each with the
 * meeting of its entry.
 */
function documentsIn(entries: AuditEntry[]): [string, string][] {
  const out: [string, string][] = [];
  for (const e of entries) {
    if (!e.meeting_id) continue;
    if (e.object?.startsWith('document:')) out.push([e.object.slice('document:'.length), e.meeting_id]);
    const onDoc = text(e.detail?.document_id);
    if (e.object?.startsWith('annotation:') && onDoc) out.push([onDoc, e.meeting_id]);
  }
  return out;
}

/**
 * The meetings whose lists of documents would name documents the entries
 * leave unnamed, but for those already asked for. An entry about an open
 * document (opened, exported, shown to the room) tells its title as it
 * was then; one about an annotation or a confidential document, or one
 * written before entries told titles, carries only its id. A meeting's
 * list names the documents this administrator may see, as they are now
 * (not a confidential one they do not read, nor one deleted since: those
 * keep their id, unless an entry of theirs tells the title).
 */
export function meetingsToAsk(entries: AuditEntry[], documents: ReadonlyMap<string, string>, asked: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const [doc, meeting] of documentsIn(entries)) {
    if (!documents.has(doc) && !asked.has(meeting)) out.add(meeting);
  }
  return [...out];
}

/** An entry's detail as one line ("key: value; …"), values as JSON where they are not plain text. */
export function detailText(detail: Record<string, unknown> | undefined): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
}

/** One CSV cell; a cell a spreadsheet would run as a formula is kept as text. */
function cell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The entries shown, as CSV (with a byte-order mark, so a spreadsheet reads
 * Vietnamese right): the time in UTC (ISO 8601), who, what, about what, in
 * which meeting, from where, and the detail.
 */
export function auditCSV(names: Names, entries: AuditEntry[], actionName: (a: string) => string): string {
  const rows = [['time_utc', 'actor_id', 'actor', 'action', 'action_name', 'object', 'object_name', 'meeting_id', 'meeting', 'client_ip', 'detail']];
  for (const e of entries) {
    rows.push([
      e.at,
      e.actor_id ?? '',
      e.actor_id ? personName(names, e.actor_id) : '',
      e.action,
      actionName(e.action),
      e.object ?? '',
      describeObject(names, e.object, e.detail).name,
      e.meeting_id ?? '',
      e.meeting_id ? names.meetings.get(e.meeting_id) ?? '' : '',
      e.client_ip ?? '',
      e.detail ? JSON.stringify(e.detail) : '',
    ]);
  }
  return '\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
