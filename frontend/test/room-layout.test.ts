// The room's toolbar and vote pill after the visual walkthrough (the browser
// measures them in e2e/room-layout.test.mjs): every word a toolbar control
// shows is part of its accessible name (WCAG 2.5.3, label in name), in both
// languages and while the annotated copy is being made; the share toggle is
// an icon with its short name; and room.css keeps the rules that give a
// landscape tablet one toolbar row and a phone's pill a row of its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import baseEn from '../src/i18n/en';
import baseVi from '../src/i18n/vi';
import {
  byTestId, dispatch, event, FElement, find, installBrowser, notFound, settle, stubViewer, type Answer,
} from './fake-browser';

const hasClass = (el: FElement | undefined, c: string) => new RegExp(`(^|\\s)${c}(\\s|$)`).test(el?.getAttribute('class') ?? '');

type Dict = Record<string, string>;

// [the word shown, the accessible name it belongs to]: the toolbar's pairs (viewer/Viewer.tsx).
const PAIRS: [string, string][] = [
  ['annot.noneShort', 'annot.none'],
  ['annot.pen', 'annot.pen'],
  ['annot.highlighterShort', 'annot.highlighter'],
  ['annot.eraser', 'annot.eraser'],
  ['annot.note', 'annot.note'],
  ['annot.exportShort', 'annot.export'], // the reader's own link, private marks
  ['annot.exportShort', 'annot.exportShared'], // the same link while sharing: it still shows "Tải về"
  ['annot.exportSharedShort', 'annot.exportShared'], // an observer's second link
  ['annot.private', 'annot.private'],
  ['annot.sharedShort', 'annot.shared'],
  ['pointer.toolShort', 'pointer.tool'],
  ['pointer.penShort', 'pointer.pen'],
  ['pointer.clearShort', 'pointer.clear'],
  ['viewer.more', 'viewer.moreTools'],
];

describe('label in name: each word a toolbar control shows is part of its accessible name', () => {
  for (const [lang, dict] of [['vi', baseVi as Dict], ['en', baseEn as Dict]] as const) {
    it.each(PAIRS)(`${lang}: "%s" is part of "%s"`, (short, full) => {
      expect(dict[short], short).toBeTruthy();
      expect(dict[full].toLowerCase(), `${lang}: shown "${dict[short]}", named "${dict[full]}"`).toContain(dict[short].toLowerCase());
    });
  }

  it('the Vietnamese download starts with what it shows ("Tải về…"), as a voice command says it', () => {
    expect(baseVi['annot.export'].startsWith(baseVi['annot.exportShort'])).toBe(true);
    expect(baseVi['annot.exportShared'].startsWith(baseVi['annot.exportSharedShort'])).toBe(true);
  });
});

// --- the viewer's toolbar, rendered --------------------------------------------------------------

const docA = { id: 'docA', meeting_id: 'm', agenda_item_id: '1', title: 'Tờ trình', position: 1, confidential: false, version: 1, pages: 12, size: 1000, sha256: '' };
let browser: Awaited<ReturnType<typeof installBrowser>>;
let root: FElement;
let release: (() => void) | null = null;
const t = (...a: Parameters<typeof browser.t>) => browser.t(...a);

beforeAll(async () => {
  stubViewer();
  browser = await installBrowser('/meetings/m', (c): Answer => {
    if (c.path.startsWith('/documents/docA/annotations')) return { status: 200, body: { annotations: [] } };
    return notFound;
  });
  const json = globalThis.fetch;
  // The annotated copy never comes (until released): the link stays busy.
  vi.stubGlobal('fetch', (url: string, init?: RequestInit) => {
    if (!String(url).includes('/annotated.pdf')) return json(url, init);
    return new Promise<Response>((r) => (release = () => r(new Response('nope', { status: 503 }))));
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
});

beforeEach(() => {
  root = browser.doc.createElementNS(null, 'div');
  browser.doc.body.appendChild(root);
});

afterEach(async () => {
  release?.();
  release = null;
  await settle(4);
  browser.preact.render(null, root as never);
  root.remove();
  await settle(2);
});

async function openViewer(over: Record<string, unknown> = {}) {
  const { default: Viewer } = await import('../src/viewer/Viewer');
  const props = { doc: docA, page: 1, region: null, liveKey: '', me: 'u1', onPage: () => {}, ...over };
  browser.preact.render(browser.h(Viewer, props as never), root as never);
  await settle(8);
}

const click = (el: FElement) => dispatch(el, event('click', el));
/** The text a control shows in the bar: its .tl word, else its own text. */
const shown = (el: FElement) => (find(el, (x) => hasClass(x, 'tl'))[0]?.textContent ?? el.textContent).trim();
const radio = (label: string) => find(root, (e) => e.getAttribute('role') === 'radio' && e.getAttribute('aria-label') === label)[0];

describe('the toolbar as rendered', () => {
  it("the zoom's name starts with the zoom it shows, then says it fits the page", async () => {
    await openViewer();
    const zoom = find(root, (e) => e.tagName?.toLowerCase() === 'button' && hasClass(e, 'zoom'))[0];
    expect(zoom, 'the zoom button').toBeTruthy();
    expect(zoom.textContent!.trim()).toBe('100%');
    expect(zoom.getAttribute('aria-label')).toBe(`100%, ${t('viewer.fit')}`);
  });

  it("the download link's name holds the word it shows, also while the copy is being made", async () => {
    await openViewer();
    const link = () => byTestId(root, 'annot-export')[0];
    expect(shown(link())).toBe(t('annot.exportShort'));
    expect(link().getAttribute('aria-label')).toBe(t('annot.export'));
    expect(link().getAttribute('aria-label')!.toLowerCase()).toContain(shown(link()).toLowerCase());

    click(link());
    await settle(4);
    expect(link().getAttribute('aria-busy')).toBe('true');
    // Busy: told by aria-busy and the status region, not by a name that drops "Tải về".
    expect(link().getAttribute('aria-label')).toBe(t('annot.export'));
    expect(byTestId(root, 'annot-exporting')[0]?.textContent).toBe(t('annot.exporting'));
    expect(find(link(), (x) => hasClass(x, 'tl-full'))[0]?.textContent, "the phone menu's full name").toBe(t('annot.export'));
  });

  it('while sharing, the link still shows "Tải về" and its name says the shared marks come along', async () => {
    await openViewer();
    click(radio(t('annot.pen')));
    await settle(4);
    const toggle = byTestId(root, 'annot-share')[0];
    click(toggle);
    await settle(4);
    const link = byTestId(root, 'annot-export')[0];
    expect(link.getAttribute('href')).toContain('shared=true');
    expect(shown(link)).toBe(t('annot.exportShort'));
    expect(link.getAttribute('aria-label')).toBe(t('annot.exportShared'));
  });

  it("an observer's second link shows what it adds, within its name", async () => {
    await openViewer({ canShare: false });
    const link = byTestId(root, 'annot-export-shared')[0];
    expect(shown(link)).toBe(t('annot.exportSharedShort'));
    expect(link.getAttribute('aria-label')!.toLowerCase()).toContain(shown(link).toLowerCase());
  });

  it('the share toggle: an icon and its short name, the full name its accessible one, in both states', async () => {
    await openViewer();
    click(radio(t('annot.pen')));
    await settle(4);
    const toggle = () => byTestId(root, 'annot-share')[0];
    expect(hasClass(toggle(), 'lbl') && hasClass(toggle(), 'vshare')).toBe(true);
    expect(find(toggle(), (x) => x.localName === 'svg')).toHaveLength(1);
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    expect(toggle().getAttribute('aria-label')).toBe(t('annot.private'));
    expect(toggle().textContent.trim()).toBe(t('annot.private'));

    click(toggle());
    await settle(4);
    expect(toggle().getAttribute('aria-pressed')).toBe('true');
    expect(toggle().getAttribute('aria-label')).toBe(t('annot.shared'));
    expect(toggle().textContent.trim()).toBe(t('annot.sharedShort'));
    expect(t('annot.shared').toLowerCase()).toContain(t('annot.sharedShort').toLowerCase());
  });
});

describe('room.css', () => {
  const css = readFileSync(join(__dirname, '../src/ui/room.css'), 'utf8');
  const block = (media: string) => {
    const at = css.indexOf(`@media (${media}`);
    expect(at, media).toBeGreaterThan(0);
    const next = css.indexOf('@media', at + 1);
    return css.slice(at, next < 0 ? undefined : next);
  };

  it('a landscape tablet: the zoom floats over the page, out of the bar, and stays in sight', () => {
    const band = block('min-width: 901px) and (max-width: 1199px)');
    expect(band).toMatch(/\.vbar \.vzoom \{[^}]*display: flex;[^}]*position: absolute;/);
    expect(block('min-width: 901px) {')).toMatch(/\.vbar \.vshare \{ font-size: \.8rem;/);
  });

  it("a phone: the pill has a row of its own at the foot of the speak bar, which makes room for it", () => {
    const phone = css.slice(css.indexOf('vote now'));
    expect(phone).toMatch(/\.room-page:has\(\.vote-pill\) \.speakbar \{ padding-bottom: calc\(var\(--touch\)/);
    expect(phone).toMatch(/\.vote-pill \{ left: 8px; right: 8px; bottom:/);
  });
});
