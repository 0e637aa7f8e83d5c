// The administrators' audit log (src/admin/Audit.tsx), rendered with Preact
// into the small DOM of fake-browser.ts, against a fake REST server whose
// answers a test may hold back.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { byName, byTestId, choose, click, find, installBrowser, notFound, settle, type Answer, type Call, type FElement } from './fake-browser';

let routes: (c: Call) => Answer | Promise<Answer> | undefined = () => undefined;

const me = { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true };
const users = [
  { id: 'u-admin', username: 'admin', full_name: 'Quản trị', is_admin: true, disabled: false },
  { id: 'u-an', username: 'daibieu1', full_name: 'Nguyễn Văn An', is_admin: false, disabled: false },
];

function defaults(c: Call): Answer {
  const p = c.path;
  if (p === '/users') return { status: 200, body: { users } };
  if (p === '/meetings') return { status: 200, body: { meetings: [{ id: 'm', title: 'Kỳ họp thứ 5', description: '', location: '', starts_at: null, status: 'live', my_role: '' }] } };
  if (p === '/meetings/m/documents') {
    return { status: 200, body: { documents: [{ id: 'd1', meeting_id: 'm', agenda_item_id: null, title: 'Tờ trình số 12', position: 0, confidential: false, version: 1, pages: 3, size: 1, sha256: '' }] } };
  }
  return notFound;
}

let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  browser = await installBrowser('/admin/audit', async (c) => (await routes(c)) ?? defaults(c));
});

beforeEach(() => {
  browser.calls.length = 0;
  routes = () => undefined;
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openAudit() {
  const { Audit } = await import('../src/admin/Audit');
  browser.preact.render(browser.h(Audit, { id: null, me, onSignOut: () => {} }), root as never);
  await settle(12);
}

const entry = (id: number, action: string, over: Record<string, unknown> = {}) => ({
  id, at: '2026-11-26T08:00:00Z', actor_id: 'u-admin', action, meeting_id: 'm', client_ip: '10.0.0.5', ...over,
});
const rows = () => find(root, (e) => e.localName === 'tr' && e.hasAttribute('data-action'));

describe('the audit log', () => {
  it('an older page still loading when the filter changes does not mix its entries into the new filter\'s list', async () => {
    const first = Array.from({ length: 100 }, (_, i) => entry(200 - i, 'login.succeeded'));
    let releaseOlder: (a: Answer) => void = () => {};
    routes = (c) => {
      if (!c.path.startsWith('/audit?')) return undefined;
      const q = new URLSearchParams(c.path.slice('/audit?'.length));
      if (q.get('action') === 'document.opened') return { status: 200, body: { entries: [entry(500, 'document.opened', { object: 'document:d1' })] } };
      if (q.get('before_id')) return new Promise<Answer>((resolve) => (releaseOlder = resolve)); // a slow page
      return { status: 200, body: { entries: first } };
    };
    await openAudit();
    expect(rows()).toHaveLength(100);
    click(byTestId(root, 'audit-older')[0]); // the administrator asks for older entries…
    await settle();
    choose(byName(root, 'action'), 'document.opened'); // …and, while they load, narrows the log to "opened a document"
    await settle();
    expect(rows().map((r) => r.getAttribute('data-action'))).toEqual(['document.opened']);
    releaseOlder({ status: 200, body: { entries: Array.from({ length: 100 }, (_, i) => entry(100 - i, 'login.succeeded')) } });
    await settle();
    expect(rows().map((r) => r.getAttribute('data-action'))).toEqual(['document.opened']);
    expect(byTestId(root, 'audit-count')[0].textContent).toBe(t('audit.count', { n: 1 }));
  });

  it('an older page of the same filter is added after the first', async () => {
    routes = (c) => {
      if (!c.path.startsWith('/audit?')) return undefined;
      const q = new URLSearchParams(c.path.slice('/audit?'.length));
      const before = Number(q.get('before_id') ?? 301);
      return { status: 200, body: { entries: Array.from({ length: 100 }, (_, i) => entry(before - 1 - i, 'login.succeeded')).filter((e) => e.id > 0) } };
    };
    await openAudit();
    click(byTestId(root, 'audit-older')[0]);
    await settle();
    expect(rows().map((r) => Number(r.getAttribute('data-id')))).toEqual(Array.from({ length: 200 }, (_, i) => 300 - i));
  });

  it('entries about an agenda item, a speaker or an annotation name their kind and what they are about, not a raw "agenda_item:<id>"', async () => {
    routes = (c) => (c.path.startsWith('/audit?') ? {
      status: 200,
      body: { entries: [
        entry(4, 'agenda.item_updated', { object: 'agenda_item:01JAGENDA', detail: { duration_min: 15 } }),
        entry(3, 'agenda.item_created', { object: 'agenda_item:01JAGENDA', detail: { title: 'Báo cáo tài chính', parent_id: null } }),
        entry(2, 'speaker.started', { object: 'speaker:01JSPEAKER', detail: { agenda_item_id: '01JAGENDA', user_id: 'u-an' } }),
        entry(1, 'annotation.shared', { object: 'annotation:01JANNOT', detail: { document_id: 'd1', version: 1, page: 2, kind: 'note' } }),
      ] },
    } : undefined);
    await openAudit();
    // The documents of a meeting are known once it is chosen.
    choose(byName(root, 'meeting'), 'm');
    await settle(12);
    const shown = byTestId(root, 'audit-object').map((b) => b.textContent);
    expect(shown).toEqual([
      `${t('audit.k.agendaItem')}: Báo cáo tài chính`, // named by the title an earlier entry told
      `${t('audit.k.agendaItem')}: Báo cáo tài chính`,
      `${t('audit.k.speaker')}: Nguyễn Văn An (daibieu1)`,
      `${t('audit.k.annotation')}: Tờ trình số 12`,
    ]);
  });

  it('an item renamed since is still named by its newest title after an older page is loaded', async () => {
    // The older page's "created as <former title>" must not rename the item: entries that carry
    // no title (a conclusion, a duration) keep being named by the newest one.
    const firstPage = [
      entry(300, 'agenda.item_updated', { object: 'agenda_item:01JITEM', detail: { conclusion: 'changed', conclusion_length: 12 } }),
      entry(299, 'agenda.item_updated', { object: 'agenda_item:01JITEM', detail: { title: 'Báo cáo tài chính năm 2026' } }),
      ...Array.from({ length: 98 }, (_, i) => entry(298 - i, 'login.succeeded')),
    ];
    const olderPage = [entry(100, 'agenda.item_created', { object: 'agenda_item:01JITEM', detail: { title: 'Dự thảo báo cáo', parent_id: null } })];
    routes = (c) => {
      if (!c.path.startsWith('/audit?')) return undefined;
      const q = new URLSearchParams(c.path.slice('/audit?'.length));
      return { status: 200, body: { entries: q.get('before_id') ? olderPage : firstPage } };
    };
    await openAudit();
    const objectOf = (id: number) => {
      const row = rows().find((r) => r.getAttribute('data-id') === String(id));
      return row ? byTestId(row, 'audit-object')[0]?.textContent ?? '' : '';
    };
    expect(objectOf(300)).toBe(`${t('audit.k.agendaItem')}: Báo cáo tài chính năm 2026`);
    click(byTestId(root, 'audit-older')[0]);
    await settle(12);
    expect(objectOf(100), 'the older entry itself says the title it had').toBe(`${t('audit.k.agendaItem')}: Dự thảo báo cáo`);
    expect(objectOf(300), 'the conclusion entry is still named by the newest title').toBe(`${t('audit.k.agendaItem')}: Báo cáo tài chính năm 2026`);
  });

  it('a document is named by the newest title its entries tell', async () => {
    // A document of another meeting (not in any list shown), renamed: the entries tell both titles.
    routes = (c) => (c.path.startsWith('/audit?') ? {
      status: 200,
      body: { entries: [
        entry(3, 'document.opened', { object: 'document:d9' }),
        entry(2, 'document.updated', { object: 'document:d9', detail: { title: 'Tờ trình (bản sửa)' } }),
        entry(1, 'document.uploaded', { object: 'document:d9', detail: { title: 'Tờ trình' } }),
      ] },
    } : undefined);
    await openAudit();
    expect(byTestId(root, 'audit-object')[0]?.textContent).toBe(`${t('audit.k.document')}: Tờ trình (bản sửa)`);
  });
});
