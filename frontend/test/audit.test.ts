import { describe, expect, it } from 'vitest';
import { ACTION_GROUPS, actionKey, auditCSV, auditQuery, describeObject, detailText, learnItemTitles, PAGE, personName, titlesIn, type Names } from '../src/admin/audit';
import deskVi from '../src/i18n/desk.vi';

const names: Names = {
  users: new Map([['u1', { username: 'daibieu1', full_name: 'Nguyễn Văn An' }]]),
  meetings: new Map([['m1', 'Kỳ họp thứ 5']]),
  documents: new Map([['d1', 'Báo cáo mật']]),
};

describe('audit query', () => {
  it('sends only the filters set, and pages back from an id', () => {
    expect(auditQuery({ meetingId: '', actorId: '', action: '', object: '' })).toBe(`limit=${PAGE}`);
    const q = new URLSearchParams(auditQuery({ meetingId: 'm 1', actorId: 'u1', action: 'document.opened', object: 'document:d1' }, 42));
    expect(Object.fromEntries(q)).toEqual({
      meeting_id: 'm 1', actor_id: 'u1', action: 'document.opened', object: 'document:d1', before_id: '42', limit: String(PAGE),
    });
  });
});

describe('audit names', () => {
  it('name every action once, each with a Vietnamese string', () => {
    const all = ACTION_GROUPS.flatMap((g) => g.actions.map(([a]) => a));
    expect(new Set(all).size).toBe(all.length);
    for (const g of ACTION_GROUPS) {
      expect(deskVi).toHaveProperty([g.group]);
      for (const [, k] of g.actions) expect(deskVi).toHaveProperty([k]);
    }
    expect(actionKey('document.opened')).toBe('audit.a.documentOpened');
    expect(actionKey('something.new')).toBeNull();
  });

  it('show people, meetings and documents by name, and unknown ids as they are', () => {
    expect(personName(names, 'u1')).toBe('Nguyễn Văn An (daibieu1)');
    expect(personName(names, 'gone')).toBe('gone');
    expect(personName(names, undefined)).toBe('');
    expect(describeObject(names, 'document:d1')).toEqual({ kind: 'document', name: 'Báo cáo mật' });
    expect(describeObject(names, 'user:u1')).toEqual({ kind: 'user', name: 'Nguyễn Văn An (daibieu1)' });
    expect(describeObject(names, 'meeting:m1')).toEqual({ kind: 'meeting', name: 'Kỳ họp thứ 5' });
    expect(describeObject(names, 'poll:p9')).toEqual({ kind: 'poll', name: 'p9' });
    expect(describeObject(names, 'document:x')).toEqual({ kind: 'document', name: 'x' });
    expect(describeObject(names, undefined)).toEqual({ kind: '', name: '' });
    expect(titlesIn([
      { id: 3, at: '', action: 'document.uploaded', object: 'document:d7', detail: { title: 'Tờ trình mật', sha256: 'x' } },
      { id: 2, at: '', action: 'document.opened', object: 'document:d7', detail: { version: 1 } },
      { id: 1, at: '', action: 'user.created', object: 'user:u1', detail: { title: 'not a document' } },
    ])).toEqual([['d7', 'Tờ trình mật']]);
    expect(detailText({ username: 'ana', copy: { id: 'c1' }, pages: 3 })).toBe('username: ana; copy: {"id":"c1"}; pages: 3');
  });

  it('name agenda items by their title, a speaker\'s turn by the speaker, an annotation by its document', () => {
    const withItems: Names = { ...names, items: new Map([['i1', 'Báo cáo tài chính']]) };
    expect(describeObject(withItems, 'agenda_item:i1')).toEqual({ kind: 'agenda_item', name: 'Báo cáo tài chính' });
    expect(describeObject(withItems, 'agenda_item:i1', { title: 'Tên cũ' }), 'the title the entry tells, as it was then')
      .toEqual({ kind: 'agenda_item', name: 'Tên cũ' });
    expect(describeObject(names, 'agenda_item:i2')).toEqual({ kind: 'agenda_item', name: 'i2' });
    expect(describeObject(names, 'speaker:s1', { agenda_item_id: 'i1', user_id: 'u1' })).toEqual({ kind: 'speaker', name: 'Nguyễn Văn An (daibieu1)' });
    expect(describeObject(names, 'speaker:s1')).toEqual({ kind: 'speaker', name: 's1' });
    expect(describeObject(names, 'annotation:a1', { document_id: 'd1', page: 2 })).toEqual({ kind: 'annotation', name: 'Báo cáo mật' });
    expect(describeObject(names, 'annotation:a1', { document_id: 'd9' })).toEqual({ kind: 'annotation', name: 'a1' });
  });

  it('learns each agenda item\'s newest title, whatever order the pages come in', () => {
    const first = learnItemTitles(new Map(), [
      { id: 3, at: '', action: 'agenda.item_updated', object: 'agenda_item:i1', detail: { title: 'Mới' } },
      { id: 2, at: '', action: 'agenda.item_updated', object: 'agenda_item:i1', detail: { duration_min: 5 } },
      { id: 1, at: '', action: 'document.uploaded', object: 'document:d1', detail: { title: 'not an item' } },
    ]);
    expect(first).toEqual(new Map([['i1', { title: 'Mới', entry: 3 }]]));
    // An older page: the item's former title does not replace the newer one; a new item is learnt.
    const older = [
      { id: 1, at: '', action: 'agenda.item_created', object: 'agenda_item:i1', detail: { title: 'Cũ' } },
      { id: 0, at: '', action: 'agenda.item_created', object: 'agenda_item:i2', detail: { title: 'Mục hai' } },
    ];
    expect(learnItemTitles(first!, older)).toEqual(new Map([['i1', { title: 'Mới', entry: 3 }], ['i2', { title: 'Mục hai', entry: 0 }]]));
    // Nothing new: null; a newer entry (a new first page) renames it.
    expect(learnItemTitles(first!, older.slice(0, 1))).toBeNull();
    expect(learnItemTitles(first!, [{ id: 9, at: '', action: 'agenda.item_updated', object: 'agenda_item:i1', detail: { title: 'Mới hơn' } }])!.get('i1'))
      .toEqual({ title: 'Mới hơn', entry: 9 });
  });
});

describe('audit CSV', () => {
  it('has a byte-order mark, a header, one row per entry, quoted cells and no formulas', () => {
    const csv = auditCSV(names, [
      { id: 2, at: '2026-11-26T08:00:00Z', actor_id: 'u1', action: 'document.opened', object: 'document:d1', meeting_id: 'm1', client_ip: '10.0.0.5', detail: { copy: 'c1' } },
      { id: 1, at: '2026-11-26T07:00:00Z', action: 'login.failed', detail: { username: '=cmd|x, "y"' } },
    ], (a) => (a === 'document.opened' ? 'Mở tài liệu' : a));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('time_utc,actor_id,actor,action,action_name,object,object_name,meeting_id,meeting,client_ip,detail');
    expect(lines[1]).toBe('2026-11-26T08:00:00Z,u1,Nguyễn Văn An (daibieu1),document.opened,Mở tài liệu,document:d1,Báo cáo mật,m1,Kỳ họp thứ 5,10.0.0.5,"{""copy"":""c1""}"');
    expect(lines[2]).toBe('2026-11-26T07:00:00Z,,,login.failed,login.failed,,,,,,"{""username"":""=cmd|x, \\""y\\""""}"');
    const formula = auditCSV(names, [{ id: 3, at: 'x', action: 'a', object: '=HYPERLINK("http://x")' }], (a) => a);
    expect(formula).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});
