import { describe, expect, it } from 'vitest';
import { applyEvent, applySnapshot, emptyRoom, mergePoll, newerPresentation, queuePlace, setCurrent, sliceOf } from '../src/live/state';
import type { Agenda, AgendaItem, Poll, Queues } from '../src/types';

const item = (id: string, status: AgendaItem['status'] = 'pending', items: AgendaItem[] = []): AgendaItem => ({
  id, parent_id: null, number: id, title: id, duration_min: 10, total_min: 10, presenter_id: null, presenter_name: '',
  status, became_current_at: null, done_at: null, items,
});
const agenda = (): Agenda => ({ meeting_id: 'm', items: [item('1', 'current', [item('1.1')]), item('2')], current_item_id: '1', planned_min: 20 });
const poll = (over: Partial<Poll> = {}): Poll => ({
  id: 'p', meeting_id: 'm', title: 'T', agenda_item_id: null, kind: 'motion', secret: false, options: [], max_choices: 1,
  status: 'open', voted: 0, eligible: 10, ...over,
});

describe('live events', () => {
  it('presentation.changed replaces the page', () => {
    const s = applyEvent(emptyRoom(), { seq: 1, type: 'presentation.changed', data: { meeting_id: 'm', document_id: 'd', page: 5, zoom: null, at: '2026-01-01T00:00:01Z' } }, 'me');
    expect(s.presentation?.page).toBe(5);
  });

  it('an older presentation never replaces a newer one', () => {
    const newer = { meeting_id: 'm', document_id: 'd', page: 7, zoom: null, at: '2026-01-01T00:00:02Z' };
    const older = { ...newer, page: 6, at: '2026-01-01T00:00:01Z' };
    expect(newerPresentation(newer, older).page).toBe(7);
    expect(newerPresentation(older, newer).page).toBe(7);
  });

  it('agenda.current marks the new item current and the previous done', () => {
    const a = setCurrent(agenda(), { item_id: '1.1', became_current_at: '2026-01-01T00:00:00Z', previous_item_id: '1' });
    expect(a.current_item_id).toBe('1.1');
    expect(a.items[0].status).toBe('done');
    expect(a.items[0].items[0].status).toBe('current');
    expect(a.items[1].status).toBe('pending');
  });

  it('meeting.updated keeps my own role', () => {
    let s = { ...emptyRoom(), meeting: { id: 'm', title: 'A', description: '', location: '', starts_at: null, status: 'live' as const, my_role: 'delegate' as const } };
    s = applyEvent(s, { seq: 2, type: 'meeting.updated', data: { ...s.meeting, title: 'B', my_role: 'secretary' } }, 'me');
    expect(s.meeting?.title).toBe('B');
    expect(s.meeting?.my_role).toBe('delegate');
  });

  it('attendance.changed about me sets my state; about others changes nothing', () => {
    const s0 = emptyRoom();
    const other = applyEvent(s0, { seq: 3, type: 'attendance.changed', data: { attendance: { user_id: 'x', state: 'present' } } }, 'me');
    expect(other).toBe(s0);
    const mine = applyEvent(s0, { seq: 3, type: 'attendance.changed', data: { attendance: { user_id: 'me', state: 'present' } } }, 'me');
    expect(mine.attendance).toBe('present');
  });

  it('documents are added, updated in place and removed', () => {
    const d = { id: 'd', meeting_id: 'm', agenda_item_id: null, title: 'A', position: 1, confidential: false, version: 1, pages: 3, size: 1, sha256: '' };
    let s = applyEvent(emptyRoom(), { seq: 1, type: 'document.added', data: d }, 'me');
    s = applyEvent(s, { seq: 2, type: 'document.updated', data: { ...d, title: 'B' } }, 'me');
    expect(s.documents.map((x) => x.title)).toEqual(['B']);
    s = applyEvent(s, { seq: 3, type: 'document.removed', data: { id: 'd' } }, 'me');
    expect(s.documents).toEqual([]);
  });

  it('a poll event keeps what I know about my own vote; the REST answer is the truth', () => {
    let polls = mergePoll({}, poll({ me: { can_vote: true, voted: false } }), false);
    polls = mergePoll(polls, poll({ voted: 3, me: { can_vote: false, voted: false } }));
    expect(polls.p.me).toEqual({ can_vote: true, voted: false });
    expect(polls.p.voted).toBe(3);
    polls = mergePoll(polls, poll({ status: 'closed' }));
    expect(polls.p.me?.can_vote).toBe(false);
  });

  it('poll.progress updates the counts only', () => {
    const s = { ...emptyRoom(), polls: { p: poll({ me: { can_vote: false, voted: true } }) } };
    const n = applyEvent(s, { seq: 9, type: 'poll.progress', data: { poll_id: 'p', voted: 7, eligible: 9 } }, 'me');
    expect(n.polls.p.voted).toBe(7);
    expect(n.polls.p.me?.voted).toBe(true);
    expect(sliceOf({ type: 'poll.progress', data: { poll_id: 'p' } })).toBeNull();
  });

  it('names the slice each event replaces', () => {
    expect(sliceOf({ type: 'presentation.changed' })).toBe('presentation');
    expect(sliceOf({ type: 'speakers.changed', data: { agenda_item_id: 'i' } })).toBe('speakers:i');
    expect(sliceOf({ type: 'poll.opened', data: { id: 'p' } })).toBe('poll:p');
    expect(sliceOf({ type: 'presence.joined' })).toBeNull();
  });
});

describe('speaker queue', () => {
  const q: Queues = {
    agenda_item_id: 'i', active: null, history: [],
    speeches: [{ user_id: 'a' }, { user_id: 'me', id: 's2' }].map((x) => ({ kind: 'speech', ...x }) as never),
    questions: [{ user_id: 'b', id: 'q1' }].map((x) => ({ kind: 'question', ...x }) as never),
  };
  it('tells my place', () => {
    expect(queuePlace(q, 'me')).toEqual({ kind: 'speech', place: 2, id: 's2' });
    expect(queuePlace(q, 'b')).toEqual({ kind: 'question', place: 1, id: 'q1' });
    expect(queuePlace(q, 'z')).toBeNull();
  });
});

describe('snapshot', () => {
  it('applies the parts it recognises and names them', () => {
    const { next, slices } = applySnapshot(emptyRoom(), {
      presentation: { meeting_id: 'm', document_id: 'd', page: 3, zoom: null, at: null },
      agenda: agenda(),
      unknown: 1,
    });
    expect(next.presentation?.page).toBe(3);
    expect(next.agenda?.current_item_id).toBe('1');
    expect(slices.sort()).toEqual(['agenda', 'presentation']);
  });
  it('marks the current item of the snapshot in the agenda', () => {
    const s = { ...emptyRoom(), agenda: agenda() };
    const { next, slices } = applySnapshot(s, { current_item: { item_id: '2', became_current_at: '2026-01-01T00:00:00Z' } });
    expect(next.agenda?.current_item_id).toBe('2');
    expect(next.agenda?.items[1].status).toBe('current');
    expect(next.agenda?.items[0].status).toBe('done');
    expect(slices).toContain('agenda');
  });
  it('ignores a state it does not know', () => {
    const s = emptyRoom();
    expect(applySnapshot(s, null).next).toBe(s);
    expect(applySnapshot(s, { presentation: 'x' }).slices).toEqual([]);
  });
});
