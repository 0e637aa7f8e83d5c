// The REST calls of the secretary's desk and the admin screen, with the
// shapes they read (api/openapi.yaml). Uploads (new documents and new
// versions) go through one XMLHttpRequest sender for their progress events.
import { ApiError, BASE, request, sessionEnded } from '../api';
import { uploadFields, type UploadChoice } from './logic';
import type { Agenda, AgendaItem, Attendance, Doc, MeetingStatus, Quorum, QuorumRule, QuorumRuleName, Role } from '../types';

export type { Quorum, QuorumRule, QuorumRuleName };

export interface FullMeeting {
  id: string;
  title: string;
  description: string;
  location: string;
  starts_at: string | null;
  status: MeetingStatus;
  quorum: QuorumRule;
  started_at: string | null;
  closed_at: string | null;
  my_role: Role;
}

export interface MeetingInput {
  title?: string;
  starts_at?: string | null;
  location?: string;
  description?: string;
  quorum?: QuorumRule;
}

export interface AccountUser {
  id: string;
  username: string;
  full_name: string;
  is_admin: boolean;
  disabled: boolean;
}

export type PartRole = Exclude<Role, ''>;

export interface Participant {
  user_id: string;
  username: string;
  full_name: string;
  role: PartRole;
  can_vote: boolean;
  weight: number;
}

/** An attendance record as the desk reads it. */
export interface AttendanceRow extends Attendance {
  role: PartRole;
  reason: string;
  checked_in_at: string | null;
}

/** One stored version of a document (GET /documents/{id}: versions, newest first). */
export interface DocVersion {
  version: number;
  pages: number;
  size: number;
  sha256: string;
  filename: string;
  uploaded_by: string;
  uploaded_at: string;
}

/** A document as the desk reads it: readers (of a confidential one) and versions only from GET /documents/{id}. */
export interface DeskDoc extends Doc {
  filename: string;
  readers?: string[];
  versions?: DocVersion[];
}

export interface ItemInput {
  title?: string;
  parent_id?: string | null;
  duration_min?: number;
  presenter_id?: string | null;
  description?: string;
  /** The chair's conclusion; the agenda editor sends it alone (setConclusion, src/conclusion.ts). */
  conclusion?: string;
}

const enc = encodeURIComponent;

export const desk = {
  meeting: (id: string) => request<FullMeeting>('GET', `/meetings/${enc(id)}`),
  createMeeting: (m: MeetingInput) => request<FullMeeting>('POST', '/meetings', m),
  updateMeeting: (id: string, m: MeetingInput) => request<FullMeeting>('PATCH', `/meetings/${enc(id)}`, m),
  setStatus: (id: string, status: MeetingStatus) => request<FullMeeting>('POST', `/meetings/${enc(id)}/status`, { status }),

  users: () => request<{ users: AccountUser[] }>('GET', '/users').then((r) => r.users),
  participants: (id: string) =>
    request<{ participants: Participant[] }>('GET', `/meetings/${enc(id)}/participants`).then((r) => r.participants),
  putParticipant: (id: string, userId: string, body: { role: PartRole; can_vote?: boolean; weight?: number }) =>
    request<Participant>('PUT', `/meetings/${enc(id)}/participants/${enc(userId)}`, body),
  removeParticipant: (id: string, userId: string) =>
    request<void>('DELETE', `/meetings/${enc(id)}/participants/${enc(userId)}`),

  attendance: (id: string) =>
    request<{ attendance: AttendanceRow[] }>('GET', `/meetings/${enc(id)}/attendance`).then((r) => r.attendance),
  record: (id: string, userId: string, state: 'present' | 'remote' | 'absent', reason = '') =>
    request<{ attendance: AttendanceRow; quorum: Quorum }>('POST', `/meetings/${enc(id)}/attendance`, { user_id: userId, state, reason }),
  quorum: (id: string) => request<Quorum>('GET', `/meetings/${enc(id)}/quorum`),

  agenda: (id: string) => request<Agenda>('GET', `/meetings/${enc(id)}/agenda`),
  addItem: (id: string, body: ItemInput) => request<AgendaItem>('POST', `/meetings/${enc(id)}/agenda`, body),
  updateItem: (itemId: string, body: ItemInput) => request<AgendaItem>('PATCH', `/agenda-items/${enc(itemId)}`, body),
  deleteItem: (itemId: string) => request<void>('DELETE', `/agenda-items/${enc(itemId)}`),
  order: (id: string, ids: string[]) => request<Agenda>('PUT', `/meetings/${enc(id)}/agenda/order`, { ids }),

  documents: (id: string) =>
    request<{ documents: DeskDoc[] }>('GET', `/meetings/${enc(id)}/documents`).then((r) => r.documents),
  document: (docId: string) => request<DeskDoc>('GET', `/documents/${enc(docId)}`),
  updateDocument: (docId: string, body: { title?: string; agenda_item_id?: string; position?: number; confidential?: boolean }) =>
    request<DeskDoc>('PATCH', `/documents/${enc(docId)}`, body),
  deleteDocument: (docId: string) => request<void>('DELETE', `/documents/${enc(docId)}`),
  setAccess: (docId: string, userIds: string[]) =>
    request<DeskDoc>('PUT', `/documents/${enc(docId)}/access`, { user_ids: userIds }),
};

export const admin = {
  users: desk.users,
  create: (u: { username: string; full_name: string; password: string; is_admin: boolean }) =>
    request<AccountUser>('POST', '/users', u),
  update: (id: string, body: { full_name?: string; password?: string; is_admin?: boolean; disabled?: boolean }) =>
    request<AccountUser>('PATCH', `/users/${enc(id)}`, body),
};

/** The signed-in user's own account (the "My account" screen). */
export const account = {
  me: () => request<AccountUser>('GET', '/me'),
  /**
   * Changes my password, giving the current one. Resolves (204) once it is
   * changed and my other sessions have ended; this one stays.
   */
  changePassword: (current_password: string, new_password: string) =>
    request<void>('POST', '/auth/password', { current_password, new_password }),
};

export interface UploadHandle {
  promise: Promise<DeskDoc>;
  abort(): void;
}

/** Reports the upload's progress as a fraction 0..1 of the bytes sent. */
export type OnProgress = (fraction: number) => void;

/**
 * POSTs one PDF as multipart/form-data to url: the small fields first, in
 * order, then the part `file`. Reports progress as a fraction 0..1 of the
 * bytes sent. Rejects with ApiError (status 0 and code 'network' when the
 * connection failed, 'aborted' when cancelled). A 401 (the session is gone)
 * sends the person back to the login, as request() does.
 */
export function sendUpload(url: string, file: File, fields: readonly [string, string][], onProgress: OnProgress): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<DeskDoc>((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of fields) form.append(k, v);
    form.append('file', file, file.name);
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      let data: { error?: { code?: string; message?: string } } | DeskDoc | null = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        onProgress(1);
        resolve(data as DeskDoc);
        return;
      }
      const err = (data as { error?: { code?: string; message?: string; reason?: string } } | null)?.error ?? {};
      if (xhr.status === 401) sessionEnded(); // like request(): back to the login
      reject(new ApiError(xhr.status, err.code ?? 'error', err.message ?? xhr.statusText, err.reason ?? ''));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/**
 * Uploads a new document to a meeting with its agenda item and, when
 * confidential, its readers (sent with the file, so it is never stored open).
 */
export function uploadDocument(meetingId: string, file: File, choice: UploadChoice, onProgress: OnProgress): UploadHandle {
  return sendUpload(`${BASE}/meetings/${enc(meetingId)}/documents`, file, uploadFields(choice), onProgress);
}

/** Uploads a new version of a document (only the part `file`); the earlier ones stay readable. */
export function uploadVersion(docId: string, file: File, onProgress: OnProgress): UploadHandle {
  return sendUpload(`${BASE}/documents/${enc(docId)}/versions`, file, [], onProgress);
}
