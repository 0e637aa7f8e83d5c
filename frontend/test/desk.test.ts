import { describe, expect, it } from 'vitest';
import {
  detailsForm, detailsPatch, dropZone, flatten, fromLocalInput, rebaseForm, moveRelative, moveSibling, orderIds, passwordProblem, renumber, shift, statusActions,
  titleProblem, toLocalInput, uploadErrorKey, userProblem, type Node,
} from '../src/desk/logic';
import { sliceOfEvent } from '../src/desk/live';

const n = (id: string, ...items: Node[]): Node => ({ id, items });
// 1, 1.1, 1.2, 1.2.1, 2, 3
const tree = () => [n('a', n('a1'), n('a2', n('a2x'))), n('b'), n('c')];

describe('agenda tree', () => {
  it('flattens depth-first with depth, parent and place among siblings', () => {
    const rows = flatten(tree());
    expect(rows.map((r) => [r.item.id, r.depth, r.parentId, r.index, r.siblings])).toEqual([
      ['a', 0, null, 0, 3], ['a1', 1, 'a', 0, 2], ['a2', 1, 'a', 1, 2], ['a2x', 2, 'a2', 0, 1], ['b', 0, null, 1, 3], ['c', 0, null, 2, 3],
    ]);
    expect(orderIds(tree())).toEqual(['a', 'a1', 'a2', 'a2x', 'b', 'c']);
  });

  it('moves an item among its siblings, with its subtree, and not past the ends', () => {
    expect(orderIds(moveSibling(tree(), 'b', -1)!)).toEqual(['b', 'a', 'a1', 'a2', 'a2x', 'c']);
    expect(orderIds(moveSibling(tree(), 'a', 1)!)).toEqual(['b', 'a', 'a1', 'a2', 'a2x', 'c']);
    expect(orderIds(moveSibling(tree(), 'a2', -1)!)).toEqual(['a', 'a2', 'a2x', 'a1', 'b', 'c']);
    expect(moveSibling(tree(), 'a', -1)).toBeNull();
    expect(moveSibling(tree(), 'c', 1)).toBeNull();
    expect(moveSibling(tree(), 'a2x', 1)).toBeNull();
    expect(moveSibling(tree(), 'zz', 1)).toBeNull();
  });

  it('does not change the tree it was given', () => {
    const t = tree();
    moveSibling(t, 'b', -1);
    moveRelative(t, 'c', 'a1', 'before');
    expect(orderIds(t)).toEqual(['a', 'a1', 'a2', 'a2x', 'b', 'c']);
  });

  it('moves before and after a sibling without reparenting', () => {
    const m = moveRelative(tree(), 'c', 'a', 'before')!;
    expect(orderIds(m.items)).toEqual(['c', 'a', 'a1', 'a2', 'a2x', 'b']);
    expect(m).toMatchObject({ parentId: null, reparent: false });
    const m2 = moveRelative(tree(), 'a', 'c', 'after')!;
    expect(orderIds(m2.items)).toEqual(['b', 'c', 'a', 'a1', 'a2', 'a2x']);
    expect(m2.reparent).toBe(false);
  });

  it('moves across parents and says so', () => {
    const m = moveRelative(tree(), 'b', 'a1', 'after')!;
    expect(orderIds(m.items)).toEqual(['a', 'a1', 'b', 'a2', 'a2x', 'c']);
    expect(m).toMatchObject({ parentId: 'a', reparent: true });
    const m2 = moveRelative(tree(), 'a1', 'c', 'inside')!;
    expect(orderIds(m2.items)).toEqual(['a', 'a2', 'a2x', 'b', 'c', 'a1']);
    expect(m2).toMatchObject({ parentId: 'c', reparent: true });
    const m3 = moveRelative(tree(), 'a2x', 'b', 'before')!;
    expect(m3).toMatchObject({ parentId: null, reparent: true });
    expect(orderIds(m3.items)).toEqual(['a', 'a1', 'a2', 'a2x', 'b', 'c']);
  });

  it('refuses moves into itself, onto itself, or deeper than three levels', () => {
    expect(moveRelative(tree(), 'a', 'a', 'before')).toBeNull();
    expect(moveRelative(tree(), 'a', 'a2x', 'after')).toBeNull();
    expect(moveRelative(tree(), 'a', 'a2', 'inside')).toBeNull();
    expect(moveRelative(tree(), 'b', 'a2x', 'inside')).toBeNull(); // a fourth level
    expect(moveRelative(tree(), 'a2', 'a1', 'inside')).toBeNull(); // a2x would be fourth
    expect(moveRelative(tree(), 'a2', 'b', 'inside')).not.toBeNull();
  });

  it('splits a row into before, inside and after', () => {
    expect(dropZone(100, 100, 40, true)).toBe('before');
    expect(dropZone(120, 100, 40, true)).toBe('inside');
    expect(dropZone(139, 100, 40, true)).toBe('after');
    expect(dropZone(119, 100, 40, false)).toBe('before');
    expect(dropZone(121, 100, 40, false)).toBe('after');
  });
});

describe('refused uploads', () => {
  it('maps the server status and code to a message', () => {
    expect(uploadErrorKey(413, 'too_large', 'the file is larger than the limit of 100 MB')).toBe('desk.upload.errTooLarge');
    expect(uploadErrorKey(415, 'unsupported_media_type', 'the file is not a PDF document')).toBe('desk.upload.errNotPdf');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF is encrypted with a password')).toBe('desk.upload.errEncrypted');
    // the reason wins over the wording of the message
    expect(uploadErrorKey(422, 'unprocessable', 'whatever the text says', 'encrypted')).toBe('desk.upload.errEncrypted');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF is encrypted', 'timeout')).toBe('desk.upload.errComplex');
    expect(uploadErrorKey(422, 'unprocessable', '', 'no_pages')).toBe('desk.upload.errNoPages');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF is encrypted', 'unreadable')).toBe('desk.upload.errUnreadable');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF uses an encryption method that cannot be opened')).toBe('desk.upload.errEncrypted');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF is damaged and could not be read')).toBe('desk.upload.errUnreadable');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF took too long to read')).toBe('desk.upload.errComplex');
    expect(uploadErrorKey(422, 'unprocessable', 'the PDF has no pages')).toBe('desk.upload.errNoPages');
    expect(uploadErrorKey(422, 'unprocessable', 'agenda_item_id: no such agenda item in this meeting')).toBe('desk.upload.errItem');
    expect(uploadErrorKey(0, 'network', 'network')).toBe('desk.upload.errNetwork');
    expect(uploadErrorKey(400, 'invalid', 'the file is empty')).toBe('desk.upload.errEmpty');
    expect(uploadErrorKey(409, 'conflict', 'the meeting is closed')).toBe('desk.errClosed');
    expect(uploadErrorKey(500, 'internal', 'x')).toBe('desk.upload.errOther');
  });
});

describe('meeting lifecycle', () => {
  it('offers the moves the server allows, confirming close', () => {
    expect(statusActions('draft').map((a) => a.to)).toEqual(['scheduled']);
    expect(statusActions('scheduled').map((a) => a.to)).toEqual(['live', 'draft']);
    expect(statusActions('live').map((a) => a.to)).toEqual(['adjourned', 'closed']);
    expect(statusActions('adjourned').map((a) => a.to)).toEqual(['live', 'closed']);
    expect(statusActions('closed')).toEqual([]);
    for (const s of ['live', 'adjourned'] as const) expect(statusActions(s).find((a) => a.to === 'closed')?.confirm).toBe(true);
  });
});

describe('forms', () => {
  it('round-trips local date inputs', () => {
    const iso = fromLocalInput('2026-03-04T09:30')!;
    expect(toLocalInput(iso)).toBe('2026-03-04T09:30');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('nonsense')).toBeNull();
    expect(toLocalInput(null)).toBe('');
  });

  it('checks titles like the server', () => {
    expect(titleProblem('  ')).toBe('desk.err.titleRequired');
    expect(titleProblem('x'.repeat(301))).toBe('desk.err.titleLong');
    expect(titleProblem('two\nlines')).toBe('desk.err.titleLine');
    for (const c of ['\u0085', '\u2028', '\u2029', '\u202e', '\u2066', '\u200f', '\u061c']) {
      expect(titleProblem(`Tờ trình${c} số 5`), `U+${c.charCodeAt(0).toString(16)}`).toBe('desk.err.titleLine');
    }
    expect(titleProblem('Tờ trình\u200d số 5'), 'a zero-width joiner is text').toBeNull();
    expect(titleProblem(' Kỳ họp thứ 13 ')).toBeNull();
  });

  it('checks new accounts like the server', () => {
    expect(userProblem({ username: 'a', full_name: 'A', password: 'longenough' })).toBe('admin.err.username');
    expect(userProblem({ username: 'Nguyen.Van-A', full_name: 'A', password: 'longenough' })).toBeNull();
    expect(userProblem({ username: 'đặng', full_name: 'A', password: 'longenough' })).toBe('admin.err.username');
    expect(userProblem({ username: 'abc', full_name: ' ', password: 'longenough' })).toBe('admin.err.fullName');
    expect(userProblem({ username: 'abc', full_name: 'A', password: 'short' })).toBe('admin.err.passwordShort');
    expect(passwordProblem('é'.repeat(129))).toBe('admin.err.passwordLong');
    expect(passwordProblem('mật khẩu mới')).toBeNull();
  });
});

describe('document order', () => {
  it('moves one document and renumbers only what changed', () => {
    const docs = [{ id: 'x', position: 0 }, { id: 'y', position: 1 }, { id: 'z', position: 2 }];
    const next = shift(docs, 2, -1);
    expect(next.map((d) => d.id)).toEqual(['x', 'z', 'y']);
    expect(renumber(next)).toEqual([{ id: 'z', position: 1 }, { id: 'y', position: 2 }]);
    expect(shift(docs, 0, -1)).toBe(docs);
    expect(renumber([{ id: 'a', position: 5 }, { id: 'b', position: 5 }])).toEqual([{ id: 'a', position: 0 }, { id: 'b', position: 1 }]);
  });
});

describe('live events', () => {
  it('name the part of the desk they change', () => {
    expect(sliceOfEvent('attendance.changed')).toEqual(['attendance']);
    expect(sliceOfEvent('participants.changed')).toEqual(['participants', 'attendance', 'meeting']); // my_role may have changed
    expect(sliceOfEvent('document.removed')).toEqual(['documents']);
    expect(sliceOfEvent('agenda.current')).toEqual(['agenda']);
    expect(sliceOfEvent('meeting.updated')).toEqual(['meeting']);
    expect(sliceOfEvent('poll.opened')).toEqual([]);
  });
});

describe('the meeting details form', () => {
  const m = {
    title: 'Kỳ họp thứ 5', starts_at: '2026-11-25T02:00:30Z', location: 'Phòng A', description: 'Phiên thường lệ',
    quorum: { rule: 'majority' as const, by_weight: false },
  };

  it('sends nothing for an untouched form, and only what changed otherwise (the quorum rule whole)', () => {
    const base = detailsForm(m);
    expect(detailsPatch(base, base), 'a start time with seconds is not rewritten to the minute').toEqual({});
    expect(detailsPatch({ ...base, location: ' Hội trường B ' }, base)).toEqual({ location: 'Hội trường B' });
    expect(detailsPatch({ ...base, title: `${base.title} ` }, base), 'spaces around are not a change').toEqual({});
    expect(detailsPatch({ ...base, byWeight: true }, base)).toEqual({ quorum: { rule: 'majority', by_weight: true } });
    expect(detailsPatch({ ...base, rule: 'at_least', count: '7' }, base)).toEqual({ quorum: { rule: 'at_least', count: 7, by_weight: false } });
    expect(detailsPatch({ ...base, count: '7' }, base), 'a count without "at least" is no rule').toEqual({});
    expect(detailsPatch({ ...base, starts: '' }, base), 'a cleared time is not sent').toEqual({});
    const later = detailsPatch({ ...base, starts: '2026-12-01T09:00' }, base);
    expect(later.starts_at).toBe(fromLocalInput('2026-12-01T09:00'));
  });

  it('follows the meeting in the fields not touched, keeps the ones being edited, and names those that changed underneath', () => {
    const base = detailsForm(m);
    const form = { ...base, location: 'Phòng C', description: 'Phiên bất thường' };
    const next = detailsForm({ ...m, title: 'Kỳ họp thứ 6', location: 'Hội trường B', description: 'Phiên bất thường' });
    const r = rebaseForm(form, base, next);
    expect(r.form).toEqual({ ...next, location: 'Phòng C' });
    expect(r.clashes, 'the same change on both sides is no clash').toEqual(['location']);
    expect(rebaseForm(base, base, base)).toEqual({ form: base, clashes: [] });
  });

  it('starts a new meeting empty, with the server\'s default rule', () => {
    expect(detailsForm(null)).toEqual({ title: '', starts: '', location: '', description: '', rule: 'majority', count: '', byWeight: false });
  });
});
