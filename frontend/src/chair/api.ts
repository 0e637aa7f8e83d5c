// The REST calls of the chair's cockpit and the room display that the
// tablet's client (../api) does not have, and the shapes they answer with.
import { request } from '../api';
import type { Attendance, MeetingStatus, Meeting, Poll, Presentation, Quorum, QuorumRuleName, Speaker, SpeakerKind } from '../types';

export type { Quorum, QuorumRuleName };

/** An attendance record as the API gives it (more than the tablet reads). */
export interface AttendanceRow extends Attendance {
  reason?: string;
  checked_in_at?: string | null;
}

/** Someone connected to the live hub. */
export interface Presence {
  user_id: string;
  name?: string;
  role?: string;
}

/** How many of those online follow the presenter (managers only). */
export interface FollowCounts {
  following: number;
  online: number;
  not_following?: string[] | null;
}

export interface Voter {
  user_id: string;
  full_name: string;
  state: string;
}

export interface RollCall {
  poll_id: string;
  voted: Voter[];
  not_voted: Voter[];
}

export interface NewPoll {
  title: string;
  agenda_item_id?: string | null;
  secret: boolean;
  /** Absent: a motion (agree / disagree / abstain). */
  options?: { label: string }[];
}

const enc = encodeURIComponent;

export const chairApi = {
  quorum: (id: string) => request<Quorum>('GET', `/meetings/${enc(id)}/quorum`),
  attendance: (id: string) =>
    request<{ attendance: AttendanceRow[] }>('GET', `/meetings/${enc(id)}/attendance`).then((r) => r.attendance),
  /**
   * Records a participant's attendance as one who manages the meeting (the
   * chair, the secretary, an administrator): in any meeting not closed, the
   * caller included (the chair's own check-in from the cockpit).
   */
  recordAttendance: (id: string, userId: string, state: 'present' | 'remote' | 'absent') =>
    request<{ attendance: AttendanceRow; quorum: Quorum }>('POST', `/meetings/${enc(id)}/attendance`, { user_id: userId, state }),
  setStatus: (id: string, status: MeetingStatus) => request<Meeting>('POST', `/meetings/${enc(id)}/status`, { status }),
  /** Stops presenting: nothing is shown. */
  stopPresenting: (id: string) => request<Presentation>('PUT', `/meetings/${enc(id)}/presentation`, { document_id: null }),
  present: (id: string, documentId: string, page: number) =>
    request<Presentation>('PUT', `/meetings/${enc(id)}/presentation`, { document_id: documentId, page }),
  /** Puts a participant on an item's list of speakers (or questions). */
  addSpeaker: (itemId: string, userId: string, kind: SpeakerKind) =>
    request<Speaker>('POST', `/agenda-items/${enc(itemId)}/speakers`, { kind, user_id: userId }),
  startSpeaker: (speakerId: string, limitSec: number) =>
    request<Speaker>('POST', `/speakers/${enc(speakerId)}/start`, { time_limit_sec: limitSec }),
  finishSpeaker: (speakerId: string) => request<Speaker>('POST', `/speakers/${enc(speakerId)}/finish`, {}),
  cancelSpeaker: (speakerId: string) => request<Speaker>('POST', `/speakers/${enc(speakerId)}/cancel`, {}),
  createPoll: (id: string, p: NewPoll) => request<Poll>('POST', `/meetings/${enc(id)}/polls`, p),
  pollAction: (pollId: string, action: 'open' | 'close' | 'publish' | 'cancel' | 'again') =>
    request<Poll>('POST', `/polls/${enc(pollId)}/${action}`, {}),
  voters: (pollId: string) => request<RollCall>('GET', `/polls/${enc(pollId)}/voters`),
};
