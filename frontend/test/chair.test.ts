import { describe, expect, it } from 'vitest';
import {
  applyPresence, bars, flatten, followCounts, follows, gauge, itemClock, neighbours, parseOptions, plannedMin, progress,
  quorumOfEvent, roundedShares, speakerCandidates, speakerClock,
} from '../src/chair/logic';
import { upsertPerson } from '../src/chair/live';
import type { AgendaItem, Attendance, Queues, Speaker } from '../src/types';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const at = (sec: number) => T0 + sec * 1000;

function item(id: string, items: AgendaItem[] = [], over: Partial<AgendaItem> = {}): AgendaItem {
  return {
    id, parent_id: null, number: id, title: id, duration_min: 0, total_min: 0, presenter_id: null, presenter_name: '',
    status: 'pending', became_current_at: null, done_at: null, items, ...over,
  };
}

describe('itemClock', () => {
  it('counts the time used against the plan', () => {
    const c = itemClock('2026-11-25T10:00:00Z', 20, at(125));
    expect(c).toEqual({ used: 125, planned: 1200, over: false, overBy: 0, frac: 125 / 1200 });
  });
  it('says how far over time', () => {
    const c = itemClock('2026-11-25T10:00:00Z', 1, at(95));
    expect(c.over).toBe(true);
    expect(c.overBy).toBe(35);
    expect(c.frac).toBe(1);
  });
  it('is never over without a plan, and never negative (a clock a little behind the server)', () => {
    expect(itemClock('2026-11-25T10:00:00Z', 0, at(5000)).over).toBe(false);
    expect(itemClock('2026-11-25T10:00:00Z', 0, at(5000)).frac).toBe(0);
    expect(itemClock('2026-11-25T10:00:00Z', 5, at(-3)).used).toBe(0);
    expect(itemClock(null, 5, at(100)).used).toBe(0);
    expect(itemClock('not a date', 5, at(100)).used).toBe(0);
  });
  it('plans an item by its own minutes, else those of its sub-items', () => {
    expect(plannedMin({ duration_min: 15, total_min: 40 })).toBe(15);
    expect(plannedMin({ duration_min: 0, total_min: 40 })).toBe(40);
    expect(plannedMin({ duration_min: 0, total_min: 0 })).toBe(0);
  });
});

describe('speakerClock', () => {
  it('counts down from the limit', () => {
    expect(speakerClock('2026-11-25T10:00:00Z', 180, at(40))).toEqual({ used: 40, left: 140, over: false, frac: 40 / 180, warn: false });
  });
  it('warns in the last 30 seconds, or the last sixth of a short limit', () => {
    expect(speakerClock('2026-11-25T10:00:00Z', 180, at(150)).warn).toBe(true);
    expect(speakerClock('2026-11-25T10:00:00Z', 180, at(149)).warn).toBe(false);
    expect(speakerClock('2026-11-25T10:00:00Z', 60, at(50)).warn).toBe(true);
    expect(speakerClock('2026-11-25T10:00:00Z', 60, at(50)).left).toBe(10);
    expect(speakerClock('2026-11-25T10:00:00Z', 60, at(49)).warn).toBe(false);
    expect(speakerClock('2026-11-25T10:00:00Z', 12, at(7)).warn).toBe(true); // 5 s at least
  });
  it('goes negative past the limit', () => {
    const c = speakerClock('2026-11-25T10:00:00Z', 60, at(75));
    expect(c.left).toBe(-15);
    expect(c.over).toBe(true);
    expect(c.warn).toBe(false);
    expect(c.frac).toBe(1);
  });
  it('counts up without a limit', () => {
    expect(speakerClock('2026-11-25T10:00:00Z', 0, at(75))).toEqual({ used: 75, left: null, over: false, frac: 0, warn: false });
  });
});

describe('the agenda order', () => {
  const agenda = [item('1', [item('1.1'), item('1.2')]), item('2'), item('3', [item('3.1', [item('3.1.1')])])];
  it('is depth-first, parents before their sub-items', () => {
    expect(flatten(agenda).map((x) => x.id)).toEqual(['1', '1.1', '1.2', '2', '3', '3.1', '3.1.1']);
  });
  it('gives the items before and after the current one', () => {
    const n = neighbours(agenda, '1.2');
    expect([n.prev?.id, n.current?.id, n.next?.id]).toEqual(['1.1', '1.2', '2']);
    const last = neighbours(agenda, '3.1.1');
    expect([last.prev?.id, last.current?.id, last.next]).toEqual(['3.1', '3.1.1', null]);
    const first = neighbours(agenda, '1');
    expect(first.prev).toBeNull();
  });
  it('offers the first item when none is current (or the current one is gone)', () => {
    expect(neighbours(agenda, null).next?.id).toBe('1');
    expect(neighbours(agenda, 'deleted').next?.id).toBe('1');
    expect(neighbours([], null)).toEqual({ current: null, prev: null, next: null });
  });
});

describe('quorum.changed', () => {
  it('gives the quorum the event carries, and nothing for another event or one without a quorum', () => {
    const q = { rule: { rule: 'majority' }, eligible: 3, present: 2, remote: 0, absent: 0, unknown: 1, attending: 2, required: 2, reached: true };
    expect(quorumOfEvent({ type: 'quorum.changed', seq: 1, data: { quorum: q } } as never)).toEqual(q);
    expect(quorumOfEvent({ type: 'attendance.changed', seq: 1, data: { quorum: q } } as never)).toBeNull();
    expect(quorumOfEvent({ type: 'quorum.changed', seq: 1, data: { quorum: 'x' } } as never)).toBeNull();
    expect(quorumOfEvent({ type: 'quorum.changed', seq: 1, data: null } as never)).toBeNull();
    expect(quorumOfEvent({ type: 'quorum.changed', seq: 1 } as never)).toBeNull();
  });
});

describe('the quorum gauge', () => {
  it('places the fill and the line', () => {
    const g = gauge({ eligible: 40, attending: 18, required: 21, reached: false });
    expect(g.frac).toBeCloseTo(0.45);
    expect(g.mark).toBeCloseTo(0.525);
    expect(g.missing).toBe(3);
    expect(g.reached).toBe(false);
  });
  it('needs nobody more once reached', () => {
    expect(gauge({ eligible: 3, attending: 2, required: 2, reached: true })).toEqual({ frac: 2 / 3, mark: 2 / 3, reached: true, missing: 0 });
  });
  it('stays within the bar (weights, an at-least rule above the membership) and survives an empty meeting', () => {
    expect(gauge({ eligible: 10, attending: 10, required: 50, reached: false }).mark).toBe(1);
    expect(gauge({ eligible: 0, attending: 0, required: 0, reached: false })).toEqual({ frac: 0, mark: 0, reached: false, missing: 0 });
    expect(gauge(null).frac).toBe(0);
  });
});

describe('the results chart', () => {
  it('gives each bar its share of what was cast, in whole percent adding up to 100', () => {
    const r = bars([
      { option: 'agree', votes: 2, weight: 2 },
      { option: 'disagree', votes: 1, weight: 5 },
      { option: 'abstain', votes: 0, weight: 0 },
    ]);
    expect(r.total).toBe(3);
    expect(r.bars.map((b) => b.share)).toEqual([2 / 3, 1 / 3, 0]);
    expect(r.bars.map((b) => b.pct)).toEqual([67, 33, 0]);
    const w = bars([{ option: 'agree', votes: 2, weight: 2 }, { option: 'disagree', votes: 1, weight: 5 }], 'weight');
    expect(w.bars.map((b) => b.value)).toEqual([2, 5]);
    expect(w.bars.map((b) => b.share)).toEqual([2 / 7, 5 / 7]);
  });
  it('does not divide by zero when nobody voted', () => {
    const r = bars([{ option: 'agree', votes: 0, weight: 0 }, { option: 'disagree', votes: 0, weight: 0 }]);
    expect(r.bars.map((b) => [b.share, b.pct])).toEqual([[0, 0], [0, 0]]);
    expect(bars(undefined).bars).toEqual([]);
  });
  it('rounds shares by largest remainder', () => {
    expect(roundedShares([1, 1, 1], 3)).toEqual([34, 33, 33]);
    expect(roundedShares([1, 1, 1, 1, 1, 1, 1], 7).reduce((a, b) => a + b)).toBe(100);
    expect(roundedShares([5, 0], 0)).toEqual([0, 0]);
  });
  it('measures progress within 0..1', () => {
    expect(progress(3, 4)).toBe(0.75);
    expect(progress(5, 4)).toBe(1);
    expect(progress(0, 0)).toBe(0);
  });
});

describe('presence and following', () => {
  const snap = applyPresence({}, 'snapshot', { online: [{ user_id: 'a', name: 'A' }, { user_id: 'b', name: 'B' }] });
  it('starts from the snapshot and applies joined and left batches', () => {
    expect(Object.keys(snap)).toEqual(['a', 'b']);
    const j = applyPresence(snap, 'presence.joined', { users: [{ user_id: 'c' }, { user_id: 'a', name: 'A2' }] });
    expect(Object.keys(j).sort()).toEqual(['a', 'b', 'c']);
    expect(j.a.name).toBe('A2');
    const l = applyPresence(j, 'presence.left', { user_ids: ['b', 'zz'] });
    expect(Object.keys(l).sort()).toEqual(['a', 'c']);
    expect(applyPresence(l, 'pong', {})).toBe(l);
  });
  it('replaces everything on a new snapshot (presence is not replayed)', () => {
    expect(applyPresence(snap, 'snapshot', { online: [{ user_id: 'z' }] })).toEqual({ z: { user_id: 'z' } });
    expect(applyPresence(snap, 'snapshot', {})).toEqual({});
  });
  it('counts followers from the hub, or everyone online before it says', () => {
    expect(followCounts(snap, null)).toEqual({ following: 2, online: 2 });
    expect(followCounts(snap, { following: 34, online: 40, not_following: [] })).toEqual({ following: 34, online: 40 });
  });
  it('tells who follows, and admits when the hub cut its list', () => {
    const f = { following: 1, online: 2, not_following: ['b'] };
    expect(follows('a', snap, f)).toBe(true);
    expect(follows('b', snap, f)).toBe(false);
    expect(follows('c', snap, f)).toBe(false); // offline
    expect(follows('a', snap, null)).toBeNull();
    expect(follows('a', snap, { following: 100, online: 400, not_following: ['b'] })).toBeNull();
  });
});

describe('custom poll options', () => {
  it('are one per line, trimmed, without blanks or repeats', () => {
    expect(parseOptions(' Phương án A \n\nPhương án  B\nphương án a\r\nC')).toEqual(['Phương án A', 'Phương án B', 'C']);
    expect(parseOptions('')).toEqual([]);
  });
});

describe('attendance rows', () => {
  it('replace one person, or add them', () => {
    const a = { user_id: 'a', full_name: 'A', role: 'delegate' as const, can_vote: true, state: 'unknown' as const };
    const b = { ...a, user_id: 'b', full_name: 'B' };
    const l = upsertPerson([a, b], { ...a, state: 'present' });
    expect(l.map((x) => x.state)).toEqual(['present', 'unknown']);
    expect(upsertPerson(l, { ...a, user_id: 'c' }).length).toBe(3);
  });
});

describe('whom the chair may add to the speakers', () => {
  const person = (user_id: string, role: Attendance['role'], state: Attendance['state'] = 'present'): Attendance =>
    ({ user_id, full_name: user_id.toUpperCase(), role, can_vote: role !== 'observer', state });
  const speaker = (user_id: string, kind: Speaker['kind']): Speaker => ({
    id: `s-${user_id}`, agenda_item_id: 'i1', user_id, full_name: user_id, kind, status: 'waiting', requested_at: '',
    started_at: null, finished_at: null, time_limit_sec: 0,
  });
  const people = [person('a', 'delegate'), person('obs', 'observer'), person('c', 'chair', 'absent'), person('b', 'delegate'), person('s', 'secretary')];

  it('offers every participant with a right to speak, in the list order, without observers', () => {
    expect(speakerCandidates(people, undefined, 'speech').map((p) => p.user_id)).toEqual(['a', 'c', 'b', 's']);
  });
  it('leaves out who already waits on that list, or has the floor', () => {
    const q: Queues = { agenda_item_id: 'i1', active: speaker('s', 'speech'), speeches: [speaker('a', 'speech')], questions: [speaker('b', 'question')], history: [] };
    expect(speakerCandidates(people, q, 'speech').map((p) => p.user_id)).toEqual(['c', 'b']);
    expect(speakerCandidates(people, q, 'question').map((p) => p.user_id)).toEqual(['a', 'c']);
  });
});
