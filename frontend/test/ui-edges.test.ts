// The room's and the staff screens' messages: strings of the screens beyond
// the room before they have loaded, English plurals, refusals the server
// explains in English, and what the speaking bar says when a request to
// speak or to withdraw is refused (409).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Queues, Speaker } from '../src/types';

type I18n = typeof import('../src/i18n');

const listeners = new Map<string, Set<() => void>>();

beforeAll(() => {
  vi.stubGlobal('document', { documentElement: {} });
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {} });
  vi.stubGlobal('navigator', { languages: ['vi-VN'], language: 'vi-VN' });
  vi.stubGlobal('window', {
    addEventListener: (type: string, fn: () => void) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(fn);
    },
  });
});

/** A fresh i18n module (its dictionary and loading state are the module's own). */
async function freshI18n(): Promise<I18n> {
  vi.resetModules();
  return import('../src/i18n');
}

/** The i18n module every other module of this file sees, in language l with every string. */
async function sharedI18n(l: 'vi' | 'en' = 'vi'): Promise<I18n> {
  const i18n = await import('../src/i18n');
  await i18n.setLang(l, false, true);
  return i18n;
}

describe('strings of the screens beyond the room', () => {
  afterEach(() => {
    vi.doUnmock('../src/i18n/chair.vi');
    vi.resetModules();
  });

  it('a room start does not fetch the cockpit\'s strings; the cockpit opened after it shows no raw key and gets them', async () => {
    const i18n = await freshI18n();
    await i18n.initLang(false); // what main.tsx does for a meeting room's URL
    expect(i18n.allLoaded()).toBe(false); // a delegate's tablet never downloads them
    expect(i18n.t('room.agenda')).toBe('Chương trình họp');
    expect(i18n.t('chair.title')).toBe(i18n.PENDING); // never the key; asking starts the load
    expect(await i18n.loadAll()).toBe(true);
    const shown = ['chair.title', 'chair.session.title', 'chair.poll.title'].map((k) => i18n.t(k as never));
    expect(shown).toEqual(['Điều hành', 'Phiên họp', 'Biểu quyết']);
  });

  it('never shows a raw key when the extra strings failed to load (offline), and loads them when the network is back', async () => {
    vi.resetModules();
    vi.doMock('../src/i18n/chair.vi', () => {
      throw new Error('Failed to fetch dynamically imported module');
    });
    const i18n: I18n = await import('../src/i18n');
    await i18n.initLang(false); // the room starts anyway
    expect(i18n.t('room.agenda')).toBe('Chương trình họp');
    expect(i18n.allLoaded()).toBe(false);
    const shown = i18n.t('chair.title');
    expect(shown).not.toBe('chair.title');
    expect(shown).toBe(i18n.PENDING);

    vi.doUnmock('../src/i18n/chair.vi'); // the network is back
    const changed = new Promise<void>((resolve) => i18n.onLangChange(resolve));
    for (const fn of listeners.get('online') ?? []) fn();
    await changed;
    expect(i18n.allLoaded()).toBe(true);
    expect(i18n.t('chair.title')).toBe('Điều hành');
  });

  it('a start with every string waits for them (the cockpit opened from its own URL)', async () => {
    const i18n = await freshI18n();
    await i18n.initLang(true);
    expect(i18n.allLoaded()).toBe(true);
    expect(i18n.t('desk.errClosed')).toBe('Cuộc họp đã kết thúc nên không thể thay đổi.');
  });
});

describe('English strings for a count of one', () => {
  it("the agenda's document list says \"1 page\" for a one-page document", async () => {
    const { format } = await import('../src/i18n');
    const { default: en } = await import('../src/i18n/en');
    expect(format(en['doc.pages'], { pages: 1 })).toBe('1 page');
    expect(format(en['doc.pages'], { pages: 12 })).toBe('12 pages');
    expect(format(en['doc.pages'], { pages: 0 })).toBe('0 pages');
  });

  it('the cockpit\'s poll form says "1 option", a result bar is read out as "1 vote"', async () => {
    const { format } = await import('../src/i18n');
    const { default: chairEn } = await import('../src/i18n/chair.en');
    expect(format(chairEn['chair.poll.optionsCount'], { n: 1 })).toBe('1 option');
    expect(format(chairEn['chair.poll.optionsCount'], { n: 3 })).toBe('3 options');
    expect(format(chairEn['chair.poll.barLabel'], { n: 1, pct: 100 })).toBe('1 vote, 100%');
    expect(format(chairEn['chair.poll.barLabel'], { n: 0, pct: 0 })).toBe('0 votes, 0%');
  });

  it('the desk and the users screen count in the singular too', async () => {
    const { format } = await import('../src/i18n');
    const { default: deskEn } = await import('../src/i18n/desk.en');
    expect(format(deskEn['desk.agenda.items'], { n: 1 })).toBe('1 item');
    expect(format(deskEn['desk.agenda.planned'], { min: 1 })).toBe('1 minute planned');
    expect(format(deskEn['admin.users'], { n: 1 })).toBe('1 user');
    expect(format(deskEn['admin.users'], { n: 2 })).toBe('2 users');
  });

  it('plural(): one for exactly one, other for the rest; a choice without its count is left as it is', async () => {
    const { format, plural } = await import('../src/i18n');
    expect([1, -1, '1'].map((n) => plural(n, 'a', 'b'))).toEqual(['a', 'a', 'a']);
    expect([0, 2, 11, 1.5, 21].map((n) => plural(n, 'a', 'b'))).toEqual(['b', 'b', 'b', 'b', 'b']);
    expect(format('{n} {n|vote|votes}', { m: 1 })).toBe('{n} {n|vote|votes}');
  });

  it('Vietnamese strings need no plural forms', async () => {
    const dicts = await Promise.all(['vi', 'chair.vi', 'desk.vi'].map((f) => import(`../src/i18n/${f}.ts`)));
    for (const d of dicts) for (const [k, s] of Object.entries(d.default as Record<string, string>)) expect(s, k).not.toMatch(/\{\w+\|/);
  });
});

describe('refusals the server explains in English', () => {
  beforeAll(async () => {
    await sharedI18n('vi');
  });

  it('the cockpit names the open vote as what stops the meeting from closing', async () => {
    const { errorText } = await import('../src/chair/util');
    const { ApiError } = await import('../src/api');
    const e = new ApiError(409, 'conflict', 'a vote is still open in this meeting: close or cancel the open vote first');
    expect(errorText(e, 'chair.err.status')).toMatch(/biểu quyết/i);
    // A move that does not exist keeps its own message; an unknown 409 the caller's.
    expect(errorText(new ApiError(409, 'conflict', 'a draft meeting cannot become closed'), 'chair.err.status')).toBe(
      'Không chuyển được trạng thái cuộc họp từ trạng thái hiện tại.',
    );
    expect(errorText(new ApiError(409, 'conflict', 'something new'), 'chair.err.pollState')).toBe('Thao tác không phù hợp với trạng thái của lần biểu quyết này.');
  });

  it("a taken username is explained in Vietnamese, without the server's English text", async () => {
    const { errText } = await import('../src/desk/common');
    const { ApiError } = await import('../src/api');
    const said = errText(new ApiError(409, 'conflict', 'the username "nguyenvana" is taken'));
    expect(said).not.toMatch(/is taken/);
    expect(said).toBe('Tên đăng nhập này đã có người dùng. Hãy chọn tên khác.');
    expect(errText(new ApiError(409, 'conflict', 'you cannot disable yourself'))).toBe('Bạn không thể tự khóa tài khoản của chính mình.');
    // A refusal we do not know keeps the server's reason after ours (it names the rule).
    expect(errText(new ApiError(422, 'invalid', 'full_name is too long'))).toBe('Máy chủ không chấp nhận: full_name is too long');
  });

  it('every known refusal has its message in both languages, in a dictionary the screens that show it have', async () => {
    const { refusalKeys } = await import('../src/i18n/refusals');
    const parts = await Promise.all(['chair.vi', 'chair.en', 'desk.vi', 'desk.en'].map((f) => import(`../src/i18n/${f}.ts`)));
    const vi = { ...parts[0].default, ...parts[2].default } as Record<string, string>;
    const en = { ...parts[1].default, ...parts[3].default } as Record<string, string>;
    for (const k of refusalKeys()) {
      expect(vi, k).toHaveProperty([k]);
      expect(en, k).toHaveProperty([k]);
    }
  });

  it("matches the server's own texts (the Go services' messages)", async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { refusalKey } = await import('../src/i18n/refusals');
    const { ApiError } = await import('../src/api');
    const go = (f: string) => readFileSync(join(__dirname, '../..', f), 'utf8');
    const said = (file: string, text: string) => {
      expect(go(file), `${file} no longer says ${JSON.stringify(text)}`).toContain(text);
      return refusalKey(new ApiError(409, 'conflict', text.replace(/%q/g, '"x"').replace(/%s/g, 'x').replace(/%d/g, '5')));
    };
    expect(said('vote/lifecycle.go', 'a vote is still open in this meeting: close or cancel the open vote first')).toBe('chair.err.openVote');
    expect(said('account/store.go', 'the username %q is taken')).toBe('admin.err.taken');
    expect(said('account/account.go', 'you cannot disable yourself')).toBe('admin.err.selfDisable');
    expect(said('account/account.go', 'you cannot remove your own administrator right')).toBe('admin.err.selfAdmin');
    expect(said('meeting/status.go', 'the meeting is closed; nothing in it can change')).toBe('desk.errClosed');
    expect(said('meeting/status.go', 'a %s meeting cannot become %s')).toBe('chair.err.status');
    expect(said('meeting/participants.go', 'a meeting needs a secretary: appoint another one first')).toBe('desk.errNeedSecretary');
    expect(said('agenda/store_speakers.go', 'someone else has the floor; finish that speaker first')).toBe('chair.err.floorTaken');
    expect(said('vote/lifecycle.go', 'a poll opens when the meeting is in session (it is %s)')).toBe('chair.err.pollOpen');
    // Deleting an agenda item: what keeps it (a title quoted with %q).
    expect(said('docs/store_agenda.go', 'is filed under this agenda item (or one of its sub-items): ')).toBe('desk.err.itemHasSomeDoc');
    expect(refusalKey(new ApiError(409, 'conflict', 'the document "x" is filed under this agenda item (or one of its sub-items): move it'))).toBe('desk.err.itemHasDoc');
    expect(refusalKey(new ApiError(409, 'conflict', 'a confidential document is filed under this agenda item (or one of its sub-items): move it'))).toBe('desk.err.itemHasSecretDoc');
    expect(said('vote/store_agenda.go', 'the poll %q is prepared for this agenda item (or one of its sub-items): ')).toBe('desk.err.itemHasDraftPoll');
    expect(said('vote/store_agenda.go', 'the poll %q was held on this agenda item (or one of its sub-items), ')).toBe('desk.err.itemHasPoll');
    expect(said('agenda/items.go', '%q has been taken up in the session and stays on the record')).toBe('desk.err.itemTakenUp');
    expect(said('agenda/items.go', 'someone has the floor on %q; an item someone has spoken on stays on the record')).toBe('desk.err.itemFloor');
    expect(said('agenda/items.go', 'someone has spoken on %q; it stays on the record')).toBe('desk.err.itemSpoken');
    expect(said('agenda/items.go', 'an agenda holds at most %d items')).toBe('desk.err.agendaFull');
    expect(go('agenda/items.go')).toContain('an agenda is at most %d levels deep');
    expect(refusalKey(new ApiError(422, 'unprocessable', 'an agenda is at most 3 levels deep'))).toBe('desk.err.agendaDeep');
    // A title is the user's text: what it says is not the refusal.
    expect(refusalKey(new ApiError(409, 'conflict', 'someone has spoken on "the meeting is closed"; it stays on the record'))).toBe('desk.err.itemSpoken');
  });
});

describe('the speaking bar when a request is refused', () => {
  const me = 'u-me';
  const speaker = (over: Partial<Speaker>): Speaker => ({
    id: 's1', agenda_item_id: 'i1', user_id: me, full_name: 'Me', kind: 'speech', status: 'waiting',
    requested_at: '2026-11-26T10:00:00Z', started_at: null, finished_at: null, time_limit_sec: 0, ...over,
  });
  const queue = (over: Partial<Queues>): Queues => ({ agenda_item_id: 'i1', active: null, speeches: [], questions: [], history: [], ...over });

  beforeAll(async () => {
    await sharedI18n('vi');
  });

  it('withdrawing just as the chair gives the floor says so, not "cannot reach the server"', async () => {
    const { refusalText } = await import('../src/ui/Speak');
    const { ApiError } = await import('../src/api');
    const e = new ApiError(409, 'conflict', 'only a waiting speaker can be taken off the list; finish an active one (this one is active)');
    const said = refusalText(e, me, 'live', queue({ active: speaker({ status: 'active' }) }), { withdrawing: 's1' });
    expect(said).toBe('Bạn vừa được mời phát biểu nên không rút đăng ký được nữa.');
    // Taken off the list by the chair meanwhile.
    expect(refusalText(new ApiError(409, 'conflict', 'only a waiting speaker… (this one is cancelled)'), me, 'live', queue({}), { withdrawing: 's1' }))
      .toBe('Bạn không còn trong danh sách chờ phát biểu.');
  });

  it('asking to speak once the meeting is closed does not answer "already on the list"', async () => {
    const { refusalText } = await import('../src/ui/Speak');
    const { ApiError } = await import('../src/api');
    const e = new ApiError(409, 'conflict', 'the meeting is closed; nothing in it can change');
    expect(refusalText(e, me, 'closed', queue({}), { kind: 'speech' })).toBe('Cuộc họp đã kết thúc, không thể đăng ký phát biểu.');
    expect(refusalText(e, me, null, null, { kind: 'speech' })).toBe('Cuộc họp đã kết thúc, không thể đăng ký phát biểu.'); // the refetch failed too
  });

  it('asking twice is "already on the list"; another 409 says the list changed', async () => {
    const { refusalText } = await import('../src/ui/Speak');
    const { ApiError } = await import('../src/api');
    const twice = new ApiError(409, 'conflict', 'already waiting in this queue');
    expect(refusalText(twice, me, 'live', queue({ speeches: [speaker({})] }), { kind: 'speech' })).toBe('Bạn đã đăng ký rồi.');
    expect(refusalText(twice, me, null, null, { kind: 'speech' })).toBe('Bạn đã đăng ký rồi.');
    expect(refusalText(new ApiError(409, 'conflict', '?'), me, 'live', queue({}), { kind: 'question' })).toBe(
      'Danh sách phát biểu vừa thay đổi. Vui lòng xem lại rồi thử lại.',
    );
  });
});
