// A thin client of the Curia REST API. The session cookie authenticates
// every same-origin request; errors become ApiError with the server's code.
import type {
  Agenda, AttendanceChange, Attendance, CurrentItem, Doc, Meeting, Poll, Presentation, Queues,
  Speaker, SpeakerKind, User,
} from './types';

export const BASE = '/api/v1';

export class ApiError extends Error {
  /**
   * reason: the server's error.reason, a stable word for some refusals (e.g. "encrypted"), or "".
   * retryAfter: the seconds its Retry-After asks to wait (a 429 or a 503), 0 when it gave none.
   */
  constructor(readonly status: number, readonly code: string, message: string, readonly reason = '', readonly retryAfter = 0) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
let skew = 0;

/** The server's time in epoch ms, from its Date headers (timers must not trust the tablet's clock). */
export function serverNow(): number {
  return Date.now() + skew;
}

function learnSkew(res: Response): void {
  const d = Date.parse(res.headers.get('Date') ?? '');
  if (Number.isNaN(d)) return;
  const s = d + 500 - Date.now(); // Date has whole seconds: assume the middle
  // Each reading is off by up to a second or so (the Date header's second, the trip): move only when a
  // reading is further than that from the offset in use, so timers do not jump back and forth between
  // responses. The first reading that shows a clock off by more than 1.5 s is taken.
  if (Math.abs(s - skew) > 1500) skew = s;
}

const SIGNED_IN = 'curia.signedIn';
let listening = false;
/** How many sign-ins and sign-outs of other tabs this tab has heard (from the first watch on: the app's start). */
let heardElsewhere = 0;

/** Who hears of signing in and out (annot/backend.ts: queued marks wait for their author; ui/App.tsx). */
const signInWatchers = new Set<(on: boolean, elsewhere: boolean) => void>();

/**
 * Whether this tablet signed in and has not signed out: the session cookie
 * is HttpOnly, and asking /me without one would log a 401 in the console.
 * watch: fn hears every sign-in and sign-out (a 401 too), this tab's and,
 * as the cookie is shared, another tab's (elsewhere: then this tab may now
 * hold someone else's session, or none); it returns what stops it.
 * changedElsewhere: how many of the latter this tab has heard, so that a
 * module loaded later (annot/backend.ts) knows the session may no longer be
 * the one the app started with.
 */
export const signedIn = {
  get: () => { try { return localStorage.getItem(SIGNED_IN) === '1'; } catch { return true; } },
  set: (on: boolean) => {
    try { if (on) localStorage.setItem(SIGNED_IN, '1'); else localStorage.removeItem(SIGNED_IN); } catch { /* no storage */ }
    signInWatchers.forEach((fn) => fn(on, false));
  },
  watch: (fn: (on: boolean, elsewhere: boolean) => void): (() => void) => {
    if (!listening && typeof window !== 'undefined') {
      listening = true;
      window.addEventListener('storage', (e) => {
        if (e.key !== SIGNED_IN && e.key !== null) return;
        heardElsewhere++;
        signInWatchers.forEach((w) => w(signedIn.get(), true));
      });
    }
    signInWatchers.add(fn);
    return () => void signInWatchers.delete(fn);
  },
  changedElsewhere: (): number => heardElsewhere,
};

/** Who hears whom this tab just signed in as (annot/backend.ts: that user's held marks go now). */
const userWatchers = new Set<(id: string) => void>();

/**
 * Whom this tab just signed in as, from the sign-in's answer (ui/App.tsx
 * tells it; signedIn.set(true) comes first, without a name). watch: fn
 * hears each; it returns what stops it.
 */
export const signedInUser = {
  tell: (id: string) => userWatchers.forEach((fn) => fn(id)),
  watch: (fn: (id: string) => void): (() => void) => {
    userWatchers.add(fn);
    return () => void userWatchers.delete(fn);
  },
};

/** Sets what happens when the session is gone (401): back to the login. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/** The server answered 401 (the session is gone): forget it and go back to the login. For senders other than request(). */
export function sessionEnded(): void {
  signedIn.set(false);
  onUnauthorized();
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  learnSkew(res);
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error ?? {};
    if (res.status === 401 && path !== '/auth/login') sessionEnded();
    // Retry-After: the server sends whole seconds (api/openapi.yaml); anything else counts as none.
    throw new ApiError(res.status, err.code ?? 'error', err.message ?? res.statusText, err.reason ?? '', Number(res.headers.get('Retry-After')) || 0);
  }
  return data as T;
}

/** A file the server sent: its bytes, and the name its Content-Disposition gives ("" for none). */
export interface FetchedFile {
  blob: Blob;
  name: string;
}

/**
 * GETs a file (url: the whole path, as a link's href) as request() does a
 * call: the same credentials, a refusal thrown as ApiError with the
 * server's code, message and reason, a 401 ending the session. For a
 * download the app hands over itself, so that a refusal can be told.
 */
export async function fetchFile(url: string): Promise<FetchedFile> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  learnSkew(res);
  if (!res.ok) {
    const err = (await res.json().catch(() => null))?.error ?? {};
    if (res.status === 401) sessionEnded();
    throw new ApiError(res.status, err.code ?? 'error', err.message ?? res.statusText, err.reason ?? '', Number(res.headers.get('Retry-After')) || 0);
  }
  let blob: Blob;
  try {
    blob = await res.blob(); // the connection dropped midway: a short file is no file
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  return { blob, name: dispositionName(res.headers.get('Content-Disposition')) };
}

/**
 * The file name a Content-Disposition gives: the UTF-8 one (filename*=,
 * RFC 8187) if it reads, else the plain one (filename=); "" for none. Path
 * separators become "_", control characters are left out.
 */
export function dispositionName(header: string | null): string {
  if (!header) return '';
  const clean = (s: string) => s.replace(/[/\\]/g, '_').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  const ext = /(?:^|;)\s*filename\*\s*=\s*([^;]*)/i.exec(header);
  const utf8 = ext && /^\s*utf-8'[^']*'(\S+?)\s*$/i.exec(ext[1]);
  if (utf8) {
    try {
      const name = clean(decodeURIComponent(utf8[1]));
      if (name) return name;
    } catch {
      /* not percent-encoded UTF-8: the plain name */
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  if (!plain) return '';
  return clean(plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2]);
}

const get = <T>(p: string) => request<T>('GET', p);
const post = <T>(p: string, b?: unknown) => request<T>('POST', p, b ?? {});

export const api = {
  login: (username: string, password: string) =>
    post<{ token: string; user: User }>('/auth/login', { username, password }).then((r) => {
      signedIn.set(true);
      return r;
    }),
  logout: () => post<void>('/auth/logout').finally(() => signedIn.set(false)),
  me: () => get<User>('/me'),
  meetings: () => get<{ meetings: Meeting[] }>('/meetings').then((r) => r.meetings),
  meeting: (id: string) => get<Meeting>(`/meetings/${id}`),
  agenda: (id: string) => get<Agenda>(`/meetings/${id}/agenda`),
  documents: (id: string) => get<{ documents: Doc[] }>(`/meetings/${id}/documents`).then((r) => r.documents),
  presentation: (id: string) => get<Presentation>(`/meetings/${id}/presentation`),
  present: (id: string, document_id: string | null, page: number, zoom: unknown = null) =>
    request<Presentation>('PUT', `/meetings/${id}/presentation`, { document_id, page, zoom }),
  setCurrent: (id: string, item_id: string | null) =>
    request<CurrentItem>('PUT', `/meetings/${id}/agenda/current`, { item_id }),
  attendance: (id: string) =>
    get<{ attendance: Attendance[] }>(`/meetings/${id}/attendance`).then((r) => r.attendance),
  checkIn: (id: string) => post<AttendanceChange>(`/meetings/${id}/attendance`, { state: 'present' }),
  speakers: (itemId: string) => get<Queues>(`/agenda-items/${itemId}/speakers`),
  askToSpeak: (itemId: string, kind: SpeakerKind) => post<Speaker>(`/agenda-items/${itemId}/speakers`, { kind }),
  cancelSpeaker: (speakerId: string) => post<Speaker>(`/speakers/${speakerId}/cancel`),
  polls: (id: string) => get<{ polls: Poll[] }>(`/meetings/${id}/polls`).then((r) => r.polls),
  poll: (id: string) => get<Poll>(`/polls/${id}`),
  vote: (pollId: string, option: string) => post<{ poll_id: string; voted: boolean }>(`/polls/${pollId}/votes`, { option }),
  voteMany: (pollId: string, options: string[]) => post<{ poll_id: string; voted: boolean }>(`/polls/${pollId}/votes`, { options }),
};

/** The URL pdf.js loads a document from (Range requests, same origin). */
export const fileURL = (doc: Pick<Doc, 'id' | 'version'>) =>
  `${BASE}/documents/${encodeURIComponent(doc.id)}/file${doc.version > 0 ? `?version=${doc.version}` : ''}`;
