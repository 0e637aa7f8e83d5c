// The shapes of the Curia API (api/openapi.yaml and the Go handlers) that
// the tablet app reads. Only the fields it uses are named.

export interface User {
  id: string;
  username: string;
  full_name: string;
  is_admin: boolean;
}

export type Role = 'chair' | 'secretary' | 'delegate' | 'observer' | '';
export type MeetingStatus = 'draft' | 'scheduled' | 'live' | 'adjourned' | 'closed';

export interface Meeting {
  id: string;
  title: string;
  description: string;
  location: string;
  starts_at: string | null;
  status: MeetingStatus;
  my_role: Role;
}

export type ItemStatus = 'pending' | 'current' | 'done';

export interface AgendaItem {
  id: string;
  parent_id: string | null;
  number: string;
  title: string;
  duration_min: number;
  total_min: number;
  presenter_id: string | null;
  presenter_name: string;
  status: ItemStatus;
  became_current_at: string | null;
  /** Seconds the item was current in earlier spells, before became_current_at (a done item: all of them); absent from a server before it. Time used: itemUsedSec. */
  spent_sec?: number;
  /** When the item last became the current item; unlike became_current_at, adjourning and resuming leave it (a done item keeps it, one taken up again gets the new time). Null if never current, or not known (current and adjourned when the server was upgraded to give it); absent from a server before it. */
  current_since?: string | null;
  done_at: string | null;
  /** The chair's conclusion on the item ("Kết luận"), plain text; "" when none (absent from a server before conclusions). */
  conclusion?: string;
  items: AgendaItem[];
}

export interface Agenda {
  meeting_id: string;
  items: AgendaItem[];
  current_item_id: string | null;
  planned_min: number;
}

export interface CurrentItem {
  item_id: string | null;
  became_current_at: string | null;
  /** Seconds the item was current in earlier spells (it was taken up again); absent from a server before it. */
  spent_sec?: number;
  /** When the item became current (here the time of the change); null with no item; absent from a server before it. */
  current_since?: string | null;
  previous_item_id: string | null;
}

export interface Doc {
  id: string;
  meeting_id: string;
  agenda_item_id: string | null;
  title: string;
  position: number;
  confidential: boolean;
  version: number;
  pages: number;
  size: number;
  sha256: string;
}

/** A zoomed part of a page in fractions of its width and height. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Presentation {
  meeting_id: string;
  document_id: string | null;
  version?: number;
  page?: number;
  pages?: number;
  zoom: Region | null;
  hidden?: boolean;
  by?: string;
  at: string | null;
}

export type SpeakerKind = 'speech' | 'question';

export interface Speaker {
  id: string;
  agenda_item_id: string;
  user_id: string;
  full_name: string;
  kind: SpeakerKind;
  status: string;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  time_limit_sec: number;
}

export interface Queues {
  agenda_item_id: string;
  active: Speaker | null;
  speeches: Speaker[];
  questions: Speaker[];
  history: Speaker[];
}

export type AttendanceState = 'present' | 'remote' | 'absent' | 'unknown';

export interface Attendance {
  user_id: string;
  full_name: string;
  role: Role;
  can_vote: boolean;
  state: AttendanceState;
}

export type QuorumRuleName = 'majority' | 'two_thirds' | 'at_least';

export interface QuorumRule {
  rule: QuorumRuleName;
  count?: number;
  by_weight?: boolean;
}

/** GET /meetings/{id}/quorum, and the quorum in attendance.changed. */
export interface Quorum {
  rule: QuorumRule;
  eligible: number;
  present: number;
  remote: number;
  absent: number;
  unknown: number;
  attending: number;
  required: number;
  reached: boolean;
}

export interface AttendanceChange {
  attendance: Attendance;
}

export interface PollOption {
  id: string;
  label: string;
}

export interface OptionResult {
  option: string;
  label?: string;
  votes: number;
  weight: number;
}

export type PollStatus = 'draft' | 'open' | 'closed' | 'published' | 'cancelled';

export interface Poll {
  id: string;
  meeting_id: string;
  title: string;
  agenda_item_id: string | null;
  kind: 'motion' | 'choice';
  secret: boolean;
  options: PollOption[];
  max_choices: number;
  status: PollStatus;
  voted: number;
  eligible: number;
  me?: { can_vote: boolean; voted: boolean };
  results?: OptionResult[];
  outcome?: string;
}

export interface PollProgress {
  poll_id: string;
  voted: number;
  eligible: number;
}

export interface OnlineUser {
  user_id: string;
  name?: string;
  role?: string;
}

/** A sequenced event of the live hub: {"seq","type","data"}. */
export interface LiveEvent {
  seq?: number;
  type: string;
  data?: unknown;
}
