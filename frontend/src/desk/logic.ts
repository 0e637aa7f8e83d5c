// The desk's pure rules: the agenda tree (flatten, the server's depth-first
// order, moving an item among or across siblings), the refused-upload
// messages, the meeting lifecycle and form checks. No DOM, no requests:
// unit-tested in test/desk.test.ts.
import { dec, type Key } from '../i18n';
import type { MeetingStatus, QuorumRule, QuorumRuleName } from '../types';

/** The part of an agenda item the tree rules need. */
export interface Node {
  id: string;
  items: Node[];
}

export const MAX_DEPTH = 3; // 1, 1.1, 1.1.1

export interface FlatRow<T extends Node> {
  item: T;
  depth: number; // 0 for the top level
  parentId: string | null;
  index: number; // among its siblings
  siblings: number;
}

/** The tree as shown: depth-first, each parent before its children. */
export function flatten<T extends Node>(items: T[], depth = 0, parentId: string | null = null, out: FlatRow<T>[] = []): FlatRow<T>[] {
  items.forEach((item, index) => {
    out.push({ item, depth, parentId, index, siblings: items.length });
    flatten(item.items as T[], depth + 1, item.id, out);
  });
  return out;
}

/** Every id, depth-first: the body of PUT /meetings/{id}/agenda/order. */
export function orderIds(items: Node[]): string[] {
  return flatten(items).map((r) => r.item.id);
}

/** How many levels an item's subtree spans (1 for a leaf). */
export function height(n: Node): number {
  return 1 + n.items.reduce((m, c) => Math.max(m, height(c)), 0);
}

function find(items: Node[], id: string, parent: Node | null = null): { node: Node; list: Node[]; parent: Node | null; depth: number } | null {
  for (const n of items) {
    if (n.id === id) return { node: n, list: items, parent, depth: 0 };
  }
  for (const n of items) {
    const f = find(n.items, id, n);
    if (f) return { ...f, depth: f.depth + 1 };
  }
  return null;
}

function contains(n: Node, id: string): boolean {
  return n.id === id || n.items.some((c) => contains(c, id));
}

function clone<T extends Node>(items: T[]): T[] {
  return items.map((n) => ({ ...n, items: clone(n.items) }));
}

/** Moves an item up (-1) or down (+1) among its siblings; null when it cannot go further. */
export function moveSibling<T extends Node>(items: T[], id: string, delta: -1 | 1): T[] | null {
  const copy = clone(items);
  const f = find(copy, id);
  if (!f) return null;
  const i = f.list.indexOf(f.node);
  const j = i + delta;
  if (j < 0 || j >= f.list.length) return null;
  f.list.splice(i, 1);
  f.list.splice(j, 0, f.node);
  return copy;
}

export type Where = 'before' | 'after' | 'inside';

export interface Move<T extends Node> {
  items: T[];
  /** The item's new parent (null: the top level). */
  parentId: string | null;
  /** Whether the parent changes (the server needs a PATCH parent_id first). */
  reparent: boolean;
}

/**
 * Moves item `id` before or after `targetId`, or to the end of its
 * sub-items ('inside'). Null when the move is not possible: onto itself or
 * into its own subtree, or deeper than three levels.
 */
export function moveRelative<T extends Node>(items: T[], id: string, targetId: string, where: Where): Move<T> | null {
  if (id === targetId) return null;
  const copy = clone(items);
  const from = find(copy, id);
  if (!from || contains(from.node, targetId)) return null;
  const oldParent = from.parent?.id ?? null;
  from.list.splice(from.list.indexOf(from.node), 1);
  const to = find(copy, targetId);
  if (!to) return null;
  let parentId: string | null;
  let depth: number;
  if (where === 'inside') {
    to.node.items.push(from.node);
    parentId = to.node.id;
    depth = to.depth + 1;
  } else {
    const k = to.list.indexOf(to.node) + (where === 'after' ? 1 : 0);
    to.list.splice(k, 0, from.node);
    parentId = to.parent?.id ?? null;
    depth = to.depth;
  }
  if (depth + height(from.node) > MAX_DEPTH) return null;
  return { items: copy, parentId, reparent: parentId !== oldParent };
}

/** Where a pointer at clientY falls on a row: top quarter before, bottom quarter after, else inside (when allowed). */
export function dropZone(clientY: number, top: number, height: number, allowInside: boolean): Where {
  const f = height > 0 ? (clientY - top) / height : 0.5;
  if (!allowInside) return f < 0.5 ? 'before' : 'after';
  if (f < 0.3) return 'before';
  if (f > 0.7) return 'after';
  return 'inside';
}

/**
 * The message for a refused upload, from the server's status, code, reason
 * (error.reason: not_pdf, encrypted, unreadable, timeout, too_complex,
 * no_pages) and, for servers without reasons, the English message.
 */
export function uploadErrorKey(status: number, code: string, message = '', reason = ''): Key {
  const m = message.toLowerCase();
  if (code === 'network' || status === 0) return 'desk.upload.errNetwork';
  // The session ended (the sender has already sent the person to the login).
  if (status === 401 || code === 'unauthenticated') return 'desk.upload.errSignedOut';
  if (status === 413 || code === 'too_large') return 'desk.upload.errTooLarge';
  if (status === 415 || code === 'unsupported_media_type' || reason === 'not_pdf') return 'desk.upload.errNotPdf';
  const byReason: Record<string, Key> = {
    encrypted: 'desk.upload.errEncrypted',
    unreadable: 'desk.upload.errUnreadable',
    timeout: 'desk.upload.errComplex',
    too_complex: 'desk.upload.errComplex',
    no_pages: 'desk.upload.errNoPages',
  };
  if (byReason[reason]) return byReason[reason];
  if (status === 422 || code === 'unprocessable') {
    if (m.includes('agenda_item')) return 'desk.upload.errItem';
    if (m.includes('not a participant') || m.includes('user_ids')) return 'desk.upload.errReaders';
    if (m.includes('password') || m.includes('encrypt')) return 'desk.upload.errEncrypted';
    if (m.includes('too long') || m.includes('too complex')) return 'desk.upload.errComplex';
    if (m.includes('no pages') || m.includes('no readable pages')) return 'desk.upload.errNoPages';
    return 'desk.upload.errUnreadable';
  }
  if (status === 400 && m.includes('empty')) return 'desk.upload.errEmpty';
  // More readers than one upload may name: the reader_ids field over the
  // server's limit, or more than the 1000 readers an access list may have.
  if (status === 400 && ((m.includes('reader_ids') && m.includes('too long')) || /at most \d+ readers/.test(m))) {
    return 'desk.upload.errTooManyReaders';
  }
  if (status === 409) return 'desk.errClosed';
  if (status === 404) return 'desk.errNotFound';
  if (status === 403) return 'desk.errForbidden';
  return 'desk.upload.errOther';
}

/**
 * What a failed upload's line says, and whether it offers to send the same
 * file again: when the connection dropped, the server failed or was busy
 * (408, 429, 5xx), or the person cancelled it. A refusal of the file or of
 * what was chosen with it (413 too large, 415 not a PDF, 422 unreadable or
 * encrypted, 400, 403, 404, 409) would come back the same way: no retry.
 */
export function uploadFailure(status: number, code: string, message = '', reason = ''): { key: Key; retry: boolean } {
  if (code === 'aborted') return { key: 'desk.upload.cancelled', retry: true };
  if (code === 'network' || status === 0) return { key: 'desk.upload.errNetwork', retry: true };
  if (status === 429 || status === 503) return { key: 'desk.upload.errBusy', retry: true };
  if (status === 408 || status >= 500) return { key: 'desk.upload.errServer', retry: true };
  return { key: uploadErrorKey(status, code, message, reason), retry: false };
}

/**
 * Whether a failed upload may have been stored all the same, so that a
 * retry must first look for it rather than send it again: the server has
 * no idempotency key, and a second POST would store a second copy. That is
 * when the outcome is unknown: the connection dropped (the answer, not the
 * file, may be what was lost), or a server or proxy failed (a 502/504 while
 * a large PDF was inspected), or the person cancelled once the whole file
 * had gone up (sentAll: the server was checking it).
 */
export function mayBeStored(status: number, code: string, sentAll: boolean): boolean {
  if (code === 'aborted') return sentAll;
  if (code === 'network' || status === 0) return true;
  return status >= 500;
}

/** What the server keeps of a stored file (a document, or one of its versions). */
export interface StoredFile {
  sha256: string;
  size: number;
  filename: string;
}

/**
 * Whether a stored file is this one: the same SHA-256 (the server's is of
 * the bytes it received, in lowercase hex). Without a digest (no Web Crypto
 * outside a secure context: the app served over plain http), the same size
 * and file name.
 */
export function sameFile(stored: StoredFile, file: { name: string; size: number }, sha256: string | null): boolean {
  if (stored.size !== file.size) return false;
  return sha256 ? stored.sha256.toLowerCase() === sha256 : stored.filename === file.name;
}

/** A file's SHA-256 in lowercase hex; null when it cannot be computed (no Web Crypto, or the file cannot be read). */
export async function fileSha256(file: Blob): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  try {
    const sum = await subtle.digest('SHA-256', await file.arrayBuffer());
    return Array.from(new Uint8Array(sum), (b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

/** Files that are clearly not PDFs by name and type (the server judges by content anyway). */
export function looksLikePdf(name: string, type: string): boolean {
  return type === 'application/pdf' || /\.pdf$/i.test(name);
}

export interface StatusAction {
  to: MeetingStatus;
  label: Key;
  confirm?: boolean;
  primary?: boolean;
}

/** What the desk offers from each status (the server's lifecycle). */
export function statusActions(s: MeetingStatus): StatusAction[] {
  switch (s) {
    case 'draft':
      return [{ to: 'scheduled', label: 'desk.status.schedule', primary: true }];
    case 'scheduled':
      return [{ to: 'live', label: 'desk.status.start', primary: true }, { to: 'draft', label: 'desk.status.unschedule' }];
    case 'live':
      return [{ to: 'adjourned', label: 'desk.status.adjourn' }, { to: 'closed', label: 'desk.status.close', confirm: true }];
    case 'adjourned':
      return [{ to: 'live', label: 'desk.status.resume', primary: true }, { to: 'closed', label: 'desk.status.close', confirm: true }];
    default:
      return [];
  }
}

/** An RFC 3339 time as the value of <input type="datetime-local"> in local time. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The value of a datetime-local input as RFC 3339 (UTC); null when empty or invalid. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A one-line title of 1..300 characters, as the server wants it; the key of what is wrong, or null. */
export function titleProblem(s: string): Key | null {
  const v = s.trim();
  if (!v) return 'desk.err.titleRequired';
  if (v.length > 300) return 'desk.err.titleLong';
  // The server's one-line rule (meeting.NotInALine): control characters, line and paragraph separators,
  // and the invisible text-direction controls that would reorder the line (often pasted along).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(v)) return 'desk.err.titleLine';
  return null;
}

/**
 * Whether free text (a location, a description, an absence's reason) holds
 * a character the server refuses there (meeting.CleanNote): a control
 * character other than a line break or a tab, such as the vertical tab a
 * word processor's manual line break brings along when pasted.
 */
export function hasNoteControl(s: string): boolean {
  // Trimmed first, as the server does (Go's TrimSpace also takes U+0085 off the ends).
  const v = s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, '');
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(v);
}

/** The account rules of POST /users; the key of the first problem, or null. */
export function userProblem(u: { username: string; full_name: string; password: string }): Key | null {
  const name = u.username.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(name)) return 'admin.err.username';
  if (!u.full_name.trim()) return 'admin.err.fullName';
  if (u.full_name.trim().length > 200) return 'admin.err.fullNameLong';
  return passwordProblem(u.password);
}

export function passwordProblem(p: string): Key | null {
  if ([...p].length < 8) return 'admin.err.passwordShort';
  if (new TextEncoder().encode(p).length > 256) return 'admin.err.passwordLong';
  return null;
}

/** New positions for documents in the given order: only those whose position changes. */
export function renumber(docs: { id: string; position: number }[]): { id: string; position: number }[] {
  return docs.map((d, i) => ({ id: d.id, position: i })).filter((d, i) => docs[i].position !== d.position);
}

/** Moves element i of a list by delta; the same list when it cannot. */
export function shift<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return list;
  const copy = list.slice();
  const [x] = copy.splice(i, 1);
  copy.splice(j, 0, x);
  return copy;
}

/** Human file size, in the current language's digits: "1,5 MB" in Vietnamese, "1.5 MB" in English. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${dec(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${dec(bytes / 1024, 0)} KB`;
  return `${dec(bytes / 1024 / 1024, 1)} MB`;
}

/** What the secretary chose for the files of one upload: its agenda item, and whether it is confidential and to whom. */
export interface UploadChoice {
  item?: string;
  confidential?: boolean;
  readers?: readonly string[];
}

/**
 * The access list as the reader_ids field of an upload: ids trimmed, without
 * empty ones or repeats, comma-separated. An id holding a comma cannot be
 * told apart from two, so it is left out (the server's ids never hold one).
 */
export function readerIds(ids: readonly string[]): string {
  const out: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (id && !id.includes(',') && !out.includes(id)) out.push(id);
  }
  return out.join(',');
}

/**
 * The small fields of POST /meetings/{id}/documents for a choice, in the
 * order they are sent (before the file). A confidential upload always says
 * so, with its readers, so the document is never stored open; an open one
 * sends no readers.
 */
export function uploadFields(c: UploadChoice): [string, string][] {
  const out: [string, string][] = [];
  if (c.item) out.push(['agenda_item_id', c.item]);
  if (c.confidential) {
    out.push(['confidential', 'true']);
    const ids = readerIds(c.readers ?? []);
    if (ids) out.push(['reader_ids', ids]);
  }
  return out;
}

/** The part of a participant the reader choice needs. */
export interface ReaderCandidate {
  user_id: string;
  role: string;
}

/** The participants who always may read a confidential document (chair, secretaries) and the others, who may be chosen. */
export function splitReaders<P extends ReaderCandidate>(participants: readonly P[]): { always: P[]; others: P[] } {
  const always = participants.filter((p) => p.role === 'chair' || p.role === 'secretary');
  const others = participants.filter((p) => p.role !== 'chair' && p.role !== 'secretary');
  return { always, others };
}

/**
 * The chosen readers who may still be chosen: participants who are neither
 * chair nor secretary, in the participants' order. A participant removed
 * (or made chair) since the choice drops out, so an upload is not refused
 * for a reader who is no longer in the meeting.
 */
export function chosenReaders(chosen: ReadonlySet<string>, participants: readonly ReaderCandidate[]): string[] {
  return splitReaders(participants).others.filter((p) => chosen.has(p.user_id)).map((p) => p.user_id);
}

/** The versions of a document other than its current one, newest first. */
export function earlierVersions<V extends { version: number }>(current: number, versions: readonly V[] | undefined): V[] {
  return (versions ?? []).filter((v) => v.version !== current).sort((a, b) => b.version - a.version);
}

/** A set with one id added or taken away (a new set, for state). */
export function toggled(set: ReadonlySet<string>, id: string, on: boolean): Set<string> {
  const s = new Set(set);
  if (on) s.add(id);
  else s.delete(id);
  return s;
}

/** The meeting-details form's fields, as its inputs hold them. */
export interface DetailsForm {
  title: string;
  starts: string;
  location: string;
  description: string;
  rule: QuorumRuleName;
  count: string;
  byWeight: boolean;
}

/** The part of a meeting the details form shows. */
export interface MeetingDetails {
  title: string;
  starts_at: string | null;
  location: string;
  description: string;
  quorum: QuorumRule;
}

/** The form for a meeting as the server has it (empty, with the server's default rule, for a new one). */
export function detailsForm(m: MeetingDetails | null): DetailsForm {
  return {
    title: m?.title ?? '',
    starts: toLocalInput(m?.starts_at ?? null),
    location: m?.location ?? '',
    description: m?.description ?? '',
    rule: m?.quorum.rule ?? 'majority',
    count: m?.quorum.count === undefined ? '' : String(m.quorum.count),
    byWeight: m?.quorum.by_weight ?? false,
  };
}

const FIELDS: (keyof DetailsForm)[] = ['title', 'starts', 'location', 'description', 'rule', 'count', 'byWeight'];

/**
 * The meeting changed underneath the form (another desk, the chair): the
 * fields not touched (still as the old baseline had them) take the new
 * values; a touched field keeps what the user entered, and is named in
 * clashes when the meeting's value changed too.
 */
export function rebaseForm(form: DetailsForm, oldBase: DetailsForm, newBase: DetailsForm): { form: DetailsForm; clashes: (keyof DetailsForm)[] } {
  const out = { ...form };
  const clashes: (keyof DetailsForm)[] = [];
  for (const k of FIELDS) {
    if (form[k] === oldBase[k]) (out as Record<string, unknown>)[k] = newBase[k];
    else if (newBase[k] !== oldBase[k] && newBase[k] !== form[k]) clashes.push(k);
  }
  return { form: out, clashes };
}

/** The quorum rule a form says (the count only with "at least"). */
export function formQuorum(f: DetailsForm): QuorumRule {
  return f.rule === 'at_least' ? { rule: f.rule, count: Number(f.count), by_weight: f.byWeight } : { rule: f.rule, by_weight: f.byWeight };
}

/**
 * What saving the form sends: only what differs from the baseline (the
 * meeting as loaded), so that a save never writes back an old value over
 * another person's change. The quorum rule goes as a whole; a start time
 * that was cleared is not sent (the server keeps a time once set).
 */
export function detailsPatch(f: DetailsForm, base: DetailsForm): Partial<Omit<MeetingDetails, 'starts_at'>> & { starts_at?: string } {
  const out: Partial<Omit<MeetingDetails, 'starts_at'>> & { starts_at?: string } = {};
  if (f.title.trim() !== base.title.trim()) out.title = f.title.trim();
  if (f.location.trim() !== base.location.trim()) out.location = f.location.trim();
  if (f.description.trim() !== base.description.trim()) out.description = f.description.trim();
  const when = f.starts !== base.starts ? fromLocalInput(f.starts) : null;
  if (when) out.starts_at = when;
  const q = formQuorum(f);
  if (JSON.stringify(q) !== JSON.stringify(formQuorum(base))) out.quorum = q;
  return out;
}
