// The document viewer (loaded with pdf.js, only in the meeting room): the
// page, its toolbar (pages, zoom, thumbnails, annotation tools) and the
// keyboard. What page to show comes from the room (the presenter's page
// when following, else the user's); the viewer reports the user's turns.
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, BASE, fetchFile, fileURL } from '../api';
import { retrying } from '../chunks';
import { t } from '../i18n';
import type { Store } from '../store';
import type { Doc, LiveEvent, Region } from '../types';
import { Icon } from '../ui/Icon';
import { toast } from '../ui/Toast';
import type { Size } from './geometry';
import { chosen } from './chosen';
import { DocFetchError } from './head';
import { PdfDoc, warmUp } from './pdf';
import { Stage } from './stage';
import type { FullLayerProps } from '../annot/Layer';
import type { Tool } from '../annot/types';
import type { PointerLink } from '../live/pointer';
import type { PointerProps, PresenterTool } from './Pointer';

export interface ViewerProps {
  doc: Doc;
  page: number;
  /** The presenter's zoom region while following, else null. */
  region: Region | null;
  /** Changes when the presenter's state changes: the user's own zoom then gives way. */
  liveKey: string;
  me: string;
  /** Whether the reader may share annotations (false: observers, a closed meeting); private ones only then. Default true. */
  canShare?: boolean;
  /** The room's live events (shared annotations of others arrive there). */
  events?: Store<LiveEvent | null>;
  onPage(n: number): void;
  /** The presenter's pointer: shown when it is on this page; canPoint offers the pointer tool. */
  pointer?: PointerLink;
  /** A page is on screen (called on each page shown). */
  onShown?(page: number): void;
  /** Opens the agenda (offered when the document is no longer there). */
  onAgenda?(): void;
}

export { warmUp };

/** The reader's annotated copy: their own marks, with everyone's shared ones when asked. */
const annotatedURL = (doc: Doc, shared: boolean) =>
  `${BASE}/documents/${encodeURIComponent(doc.id)}/annotated.pdf?shared=${shared}${doc.version > 0 ? `&version=${doc.version}` : ''}`;

type Layer = ComponentType<FullLayerProps>;
type Thumbs = ComponentType<{ pdf: PdfDoc; page: number; onPick(n: number): void }>;
type PointerC = ComponentType<PointerProps>;

// The layers, each asked for once: a page turn while one has not come does not start another round
// of tries. The pointer and the thumbnails are optional (chunks.ts: the page reads without them, so
// their failures never reload the page); the annotation layer is not: without it a delegate would
// see none of the shared marks, with nothing to say so, after a new version took the old chunk away.
let layerLoad: Promise<typeof import('../annot/Layer')> | null = null;
let pointerLoad: Promise<typeof import('./Pointer')> | null = null;
let thumbsLoad: Promise<typeof import('./Thumbs')> | null = null;

export default function Viewer(p: ViewerProps) {
  const stageEl = useRef<HTMLDivElement>(null);
  const sheetEl = useRef<HTMLDivElement>(null);
  const stage = useRef<Stage | null>(null);
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  // Why the document did not open: 'gone' (deleted, or no longer readable by me), 'error' (the network, mostly).
  const [failed, setFailed] = useState<'gone' | 'error' | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [shown, setShown] = useState<{ page: number; css: Size; size: Size } | null>(null);
  const [zoom, setZoom] = useState<number | null>(null);
  const [thumbs, setThumbs] = useState(false);
  const [tool, setTool] = useState<Tool>('none');
  const [sharedChoice, setShared] = useState(false);
  const canShare = p.canShare !== false;
  // The server refuses a shared mark from whoever may not share: it would be drawn, then vanish.
  const shared = sharedChoice && canShare;
  const [remote, setRemote] = useState(true);
  const [annotError, setAnnotError] = useState<string | null>(null);
  const [Layer, setLayer] = useState<Layer | null>(null);
  const [Thumbs, setThumbsC] = useState<Thumbs | null>(null);
  // The presenter's tool (laser or temporary pen), the toolbar's "clear" (a counter), the strokes on the page.
  const [presTool, setPresTool] = useState<PresenterTool | null>(null);
  const [clearTick, setClearTick] = useState(0);
  const [tempStrokes, setTempStrokes] = useState(0);
  const [PointerLayer, setPointerLayer] = useState<PointerC | null>(null);
  // The annotated copy being made (the test id of the link that asked), and the same at once for a second tap.
  const [exporting, setExporting] = useState<string | null>(null);
  const exportingNow = useRef(false);
  const canPoint = !!p.pointer?.canPoint;
  // The toolbar's "Thêm" (More) menu on narrow screens: sharing and the download (a phone: zoom too), out of the bar (room.css).
  const [more, setMore] = useState(false);
  const moreBtn = useRef<HTMLButtonElement>(null);
  const bar = useRef<HTMLDivElement>(null);
  const onPage = useRef(p.onPage);
  onPage.current = p.onPage;
  const onShown = useRef(p.onShown);
  onShown.current = p.onShown;

  useEffect(() => {
    const s = new Stage(stageEl.current!, sheetEl.current!, {
      turn: (n) => onPage.current(n),
      zoomed: setZoom,
      shown: (page, css, size) => {
        setShown({ page, css, size });
        onShown.current?.(page);
      },
    });
    stage.current = s;
    return () => s.destroy();
  }, []);

  // Open the document (Range requests; the first page comes first). Recent
  // documents stay open, so going back to live or to the previous one is instant.
  // A failure is tried again: from the retry button, when the network comes
  // back (the window's online event), and when the reader chooses the same
  // document again in the agenda (nothing else changes then).
  useEffect(() => {
    let alive = true;
    setFailed(null);
    setShown(null);
    PdfDoc.get(fileURL(p.doc)).then(
      (d) => {
        if (!alive) return;
        stage.current!.setDoc(d, p.doc.id);
        setPdf(d);
      },
      (e) => alive && setFailed(e instanceof DocFetchError && e.gone ? 'gone' : 'error'),
    );
    return () => {
      alive = false;
      setPdf(null);
    };
  }, [p.doc.id, p.doc.version, attempt]);

  const failedNow = useRef(failed);
  failedNow.current = failed;
  useEffect(() => {
    const retry = () => {
      if (failedNow.current) setAttempt((n) => n + 1);
    };
    addEventListener('online', retry);
    const offChosen = chosen.subscribe((c) => {
      if (c?.docId === p.doc.id) retry();
    });
    return () => {
      removeEventListener('online', retry);
      offChosen();
    };
  }, [p.doc.id]);

  const lastLive = useRef('');
  useEffect(() => {
    if (!pdf) return;
    const resetZoom = lastLive.current !== p.liveKey;
    lastLive.current = p.liveKey;
    if (resetZoom) setZoom(null);
    void stage.current!.show(Math.min(Math.max(1, p.page), pdf.pages), p.region, resetZoom);
  }, [pdf, p.page, p.region, p.liveKey]);

  // The annotation layer comes after the first page is on screen.
  useEffect(() => {
    if (shown && !Layer) void (layerLoad ??= retrying(() => import('../annot/Layer'))).then((m) => setLayer(() => m.default));
  }, [shown, Layer]);

  // The presenter's pointer, too (a follower sees the dot; a presenter may point).
  useEffect(() => {
    if (shown && p.pointer && !PointerLayer) void (pointerLoad ??= retrying(() => import('./Pointer'), { optional: true })).then((m) => setPointerLayer(() => m.default));
  }, [shown, !!p.pointer, PointerLayer]);

  useEffect(() => {
    if (!canPoint) setPresTool(null);
  }, [canPoint]);

  useEffect(() => {
    if (thumbs && !Thumbs) void (thumbsLoad ??= retrying(() => import('./Thumbs'), { optional: true })).then((m) => setThumbsC(() => m.default));
  }, [thumbs, Thumbs]);

  useEffect(() => {
    if (stage.current) stage.current.drawing = tool !== 'none' || presTool !== null;
  }, [tool, presTool]);

  // Keys: arrows, Page Up/Down, Home/End turn pages; + - 0 zoom.
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.defaultPrevented || e.altKey || e.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const s = stage.current;
      if (!s || !pdf) return;
      const act: Record<string, () => void> = {
        ArrowRight: () => s.step(1), PageDown: () => s.step(1), ArrowLeft: () => s.step(-1), PageUp: () => s.step(-1),
        Home: () => onPage.current(1), End: () => onPage.current(pdf.pages),
        '+': () => s.setZoom(s.zoomLevel * 1.25), '=': () => s.setZoom(s.zoomLevel * 1.25),
        '-': () => s.setZoom(s.zoomLevel / 1.25), '0': () => s.setZoom(null),
      };
      if (e.key === ' ' && el.tagName === 'BUTTON') return;
      const fn = act[e.key] ?? (e.key === ' ' && !e.ctrlKey ? () => s.step(e.shiftKey ? -1 : 1) : undefined);
      if (!fn || (e.ctrlKey && !'+-=0'.includes(e.key))) return;
      e.preventDefault();
      fn();
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, [pdf]);

  // The menu closes on Escape (the focus back on its button) and on a tap anywhere else.
  useEffect(() => {
    if (!more) return;
    const key = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      setMore(false);
      moreBtn.current?.focus();
    };
    const away = (e: Event) => {
      if (!bar.current?.contains(e.target as Node)) setMore(false);
    };
    document.addEventListener('keydown', key);
    document.addEventListener('pointerdown', away);
    return () => {
      document.removeEventListener('keydown', key);
      document.removeEventListener('pointerdown', away);
    };
  }, [more]);

  // The annotated copy: fetched here rather than followed as a link, so that a refusal (too many
  // marks, a copy that cannot be made) is told in words instead of the browser's "failed download".
  const exportCopy = (e: Event, withShared: boolean, testid: string) => {
    e.preventDefault();
    if (exportingNow.current) return; // one at a time: it takes seconds, and each is audited
    exportingNow.current = true;
    setExporting(testid);
    const doc = p.doc;
    fetchFile(annotatedURL(doc, withShared))
      .then(({ blob, name }) => saveFile(blob, name || `${doc.title}.pdf`), (err) => {
        if (!(err instanceof ApiError && err.status === 401)) toast(exportError(err, withShared), true); // 401: back to the sign-in
      })
      .finally(() => {
        exportingNow.current = false;
        setExporting(null);
      });
  };
  // short: the word under its icon. The reader's own link keeps "Tải về" whether or not it takes the
  // shared marks along (the share toggle beside it says which; its full name too): a longer word there
  // would push a landscape tablet's bar onto two rows. The observer's second link names what it adds.
  const exportLink = (testid: string, withShared: boolean, short: string) => {
    const busy = exporting === testid;
    // Its name stays while the copy is made (aria-busy and the status region tell that): the name
    // always holds the word shown under the icon, so a voice command by that word finds the link.
    const label = withShared ? t('annot.exportShared') : t('annot.export');
    return (
      <a
        class="btn icon lbl"
        data-testid={testid}
        href={annotatedURL(p.doc, withShared)}
        download
        title={label}
        aria-label={label}
        aria-busy={busy || undefined}
        aria-disabled={exporting !== null || undefined}
        style={exporting !== null ? EXPORTING_STYLE : undefined}
        onClick={(e) => {
          exportCopy(e, withShared, testid);
          setMore(false);
        }}
      >
        <Icon name="download" />
        <span class="tl">{short}</span>
        {/* In the phone's menu, where there is room: the full name. */}
        <span class="tl-full">{label}</span>
      </a>
    );
  };
  // Zoom: in the bar, and again in a phone's open menu (only one of the two is shown: room.css).
  // The zoom's button shows the zoom and fits the page: its spoken name starts with what it shows
  // ("125%, Fit page"; zoomShown, below), so that a voice command by the word seen finds it (WCAG 2.5.3).
  const zoomButtons = () => (
    <>
      <button class="btn icon" title={t('viewer.zoomOut')} aria-label={t('viewer.zoomOut')} onClick={() => s?.setZoom(s.zoomLevel / 1.25)}>
        <Icon name="minus" />
      </button>
      <button class="btn zoom" title={t('viewer.fit')} aria-label={`${zoomShown}, ${t('viewer.fit')}`} onClick={() => s?.setZoom(null)}>
        {zoomShown}
      </button>
      <button class="btn icon" title={t('viewer.zoomIn')} aria-label={t('viewer.zoomIn')} onClick={() => s?.setZoom(s.zoomLevel * 1.25)}>
        <Icon name="plus" />
      </button>
    </>
  );

  const pages = pdf?.pages ?? p.doc.pages;
  const page = shown?.page ?? p.page;
  const s = stage.current;
  const zoomPct = Math.round((zoom ?? 1) * 100);
  const zoomShown = p.region && zoom === null ? t('viewer.presenterZoom') : `${zoomPct}%`;

  return (
    <section class="viewer" aria-label={p.doc.title}>
      {/* room.css: from 700 px every tool is named under its icon; up to 900 px "Thêm" (More) opens a
          menu with sharing and the download, wider they sit in the bar. On a phone the bar is two rows:
          the pages, then the tools (the chosen one named) and "Thêm", whose menu holds the zoom too. */}
      <div class="vbar" role="toolbar" aria-label={t('viewer.toolbar')} ref={bar}>
        <button class={`btn icon v-nav${thumbs ? ' on' : ''}`} aria-pressed={thumbs} title={t('viewer.thumbnails')} aria-label={t('viewer.thumbnails')} onClick={() => setThumbs(!thumbs)}>
          <Icon name="grid" />
        </button>
        <button class="btn icon v-nav" title={t('viewer.prev')} aria-label={t('viewer.prev')} disabled={page <= 1} onClick={() => s?.step(-1)}>
          <Icon name="left" />
        </button>
        <span class="pageof v-nav" aria-live="polite" data-testid="pageof">{t('viewer.pageOf', { page, pages })}</span>
        <button class="btn icon v-nav" title={t('viewer.next')} aria-label={t('viewer.next')} disabled={page >= pages} onClick={() => s?.step(1)}>
          <Icon name="right" />
        </button>
        <span class="sep" />
        <span class="vzoom">{zoomButtons()}</span>
        <span class="sep" />
        <Tools tool={presTool ? null : tool} setTool={(x) => { setPresTool(null); setTool(x); }} />
        {canPoint && (
          <span class="tools presenter" role="group" aria-label={t('pointer.group')}>
            {PRESENTER_TOOLS.map((x) => (
              <button
                key={x.id}
                class={`btn icon lbl${presTool === x.id ? ' on' : ''}`}
                aria-pressed={presTool === x.id}
                data-testid={x.testid}
                title={t(x.label)}
                aria-label={t(x.label)}
                onClick={() => {
                  setTool('none');
                  setPresTool(presTool === x.id ? null : x.id);
                }}
              >
                <Icon name={x.icon} />
                <span class="tl">{t(x.short)}</span>
              </button>
            ))}
            {(presTool === 'pen' || tempStrokes > 0) && (
              <button
                class="btn icon lbl"
                data-testid="temp-clear"
                title={t('pointer.clear')}
                aria-label={t('pointer.clear')}
                onClick={() => setClearTick((n) => n + 1)}
              >
                <Icon name="clearAll" />
                <span class="tl">{t('pointer.clearShort')}</span>
              </button>
            )}
          </span>
        )}
        <button
          ref={moreBtn}
          class={`btn vmore-toggle${more ? ' on' : ''}`}
          aria-expanded={more}
          aria-controls="vmore"
          aria-label={t('viewer.moreTools')}
          data-testid="viewer-more"
          onClick={() => setMore(!more)}
        >
          <Icon name="more" />
          <span class="tl">{t('viewer.more')}</span>
        </button>
        <div class={`vmore${more ? ' open' : ''}`} id="vmore" data-testid="viewer-more-menu">
          {/* An icon with its short name under it in the bar (room.css), the full name its accessible
              one; the short name is part of the full one. The text is the button's own (no span):
              one element holds "Chỉ mình tôi". */}
          {tool !== 'none' && tool !== 'eraser' && canShare && (
            <button
              class={`btn icon lbl vshare${shared ? ' on' : ''}`}
              aria-pressed={shared}
              aria-label={shared ? t('annot.shared') : t('annot.private')}
              title={shared ? t('annot.shared') : t('annot.private')}
              data-testid="annot-share"
              onClick={() => setShared(!shared)}
            >
              <Icon name={shared ? 'people' : 'lock'} />
              {shared ? t('annot.sharedShort') : t('annot.private')}
            </button>
          )}
          {/* Rendered only while the menu is open: a second, hidden set of zoom buttons would give
              the zoom's label twice to whoever looks for it (browser tests, screen readers' lists). */}
          {more && <span class="vmore-zoom">{zoomButtons()}</span>}
          {remote && exportLink('annot-export', shared, t('annot.exportShort'))}
          {/* Without the share toggle (an observer, a closed meeting), the
              shared marks are still theirs to take home: a link of its own. */}
          {remote && !canShare && exportLink('annot-export-shared', true, t('annot.exportSharedShort'))}
        </div>
        {tool !== 'none' && !remote && <span class="hint" data-testid="annot-local">{t('annot.localOnly')}</span>}
        {annotError && <span class="hint" role="alert" data-testid="annot-error">{annotError}</span>}
        {/* The status region is there before its text, so that screen readers announce the text when it comes. */}
        <span role="status">{exporting && <span class="hint" data-testid="annot-exporting">{t('annot.exporting')}</span>}</span>
      </div>
      <div class="vbody">
        {thumbs && pdf && Thumbs && <Thumbs pdf={pdf} page={page} onPick={(n) => p.onPage(n)} />}
        <div class={`stage tool-${tool}`} ref={stageEl} tabIndex={-1} data-testid="stage">
          <div class="sheet" ref={sheetEl}>
            {Layer && shown && (
              <Layer docId={p.doc.id} page={shown.page} size={shown.size} tool={tool} me={p.me} shared={shared} version={p.doc.version || undefined} events={p.events} onMode={setRemote} onError={setAnnotError} />
            )}
            {PointerLayer && shown && p.pointer && (
              <PointerLayer
                link={p.pointer}
                docId={p.doc.id}
                page={shown.page}
                size={shown.size}
                me={p.me}
                tool={canPoint ? presTool : null}
                clear={clearTick}
                onStrokes={setTempStrokes}
              />
            )}
          </div>
          {!shown && !failed && <div class="loading">{t('viewer.loading')}</div>}
          {failed && (
            <div class="loading error" role="alert" data-testid={failed === 'gone' ? 'doc-gone' : 'doc-failed'} style={FAILED_STYLE}>
              <p>{failed === 'gone' ? t('viewer.gone') : t('viewer.failed')}</p>
              <span class="row">
                <button class="btn" data-testid="viewer-retry" onClick={() => setAttempt((n) => n + 1)}>{t('viewer.retry')}</button>
                {failed === 'gone' && p.onAgenda && <button class="btn" onClick={p.onAgenda}>{t('doc.openAgenda')}</button>}
              </span>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

// The export links while a copy is being made: dimmed, and taps do nothing.
const EXPORTING_STYLE = { opacity: 0.45, cursor: 'progress' } as const;

/** How long a downloaded copy's object URL is kept: the browser has taken the file by then. */
const REVOKE_MS = 10_000;

/** Hands a file to the user as a download (a link clicked, as a browser does for <a download>), then lets its bytes go. */
function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_MS);
}

/**
 * Why the annotated copy was not made, in the reader's words (api/openapi.yaml,
 * exportAnnotated): the server's reason words and its message for what it
 * does not name.
 */
function exportError(e: unknown, withShared: boolean): string {
  if (!(e instanceof ApiError) || e.status === 0) return t('error.network');
  if (e.status === 422) {
    // Counted before anything is drawn (docs exportError: pdf.TooManyMarks).
    if (e.reason === 'too_many_marks') return withShared ? t('annot.exportTooManyShared') : t('annot.exportTooMany');
    // A confidential document: the reader's own watermarked copy could not be made (docs stampError).
    if (/watermarked copy/i.test(e.message)) return t('annot.exportNoCopy');
    if (e.reason === 'timeout' || e.reason === 'too_complex') return t('annot.exportTooBig');
    return t('annot.exportCannotDraw', { msg: e.message }); // unreadable: the message says why
  }
  if (e.status === 403 || e.status === 404) return t('annot.exportGone');
  if (e.status === 429 || e.status === 503) return t('annot.exportBusy');
  if (e.status >= 500) return t('annot.exportServer');
  return t('annot.exportRefused', { msg: e.message });
}

// The failure's message takes taps (the loading overlay lets them through to the page).
const FAILED_STYLE = { pointerEvents: 'auto', flexDirection: 'column', gap: '12px', textAlign: 'center', padding: '16px' } as const;

// The presenter's tools: what they draw reaches every follower and is never stored.
// label: the tool's full name (aria-label, title); short: the name shown with its icon, part of the full one.
const PRESENTER_TOOLS: { id: PresenterTool; icon: string; label: 'pointer.tool' | 'pointer.pen'; short: 'pointer.toolShort' | 'pointer.penShort'; testid: string }[] = [
  { id: 'laser', icon: 'laser', label: 'pointer.tool', short: 'pointer.toolShort', testid: 'laser-tool' },
  { id: 'pen', icon: 'tempPen', label: 'pointer.pen', short: 'pointer.penShort', testid: 'temp-pen-tool' },
];

type ToolKey = 'annot.pen' | 'annot.highlighter' | 'annot.eraser' | 'annot.note' | 'annot.none' | 'annot.noneShort' | 'annot.highlighterShort';
const TOOLS: { id: Tool; icon: string; label: ToolKey; short: ToolKey }[] = [
  { id: 'none', icon: 'hand', label: 'annot.none', short: 'annot.noneShort' },
  { id: 'pen', icon: 'pen', label: 'annot.pen', short: 'annot.pen' },
  { id: 'highlighter', icon: 'marker', label: 'annot.highlighter', short: 'annot.highlighterShort' },
  { id: 'eraser', icon: 'eraser', label: 'annot.eraser', short: 'annot.eraser' },
  { id: 'note', icon: 'note', label: 'annot.note', short: 'annot.note' },
];

function Tools({ tool, setTool }: { tool: Tool | null; setTool(t: Tool): void }) {
  return (
    <span class="tools" role="radiogroup" aria-label={t('annot.tools')}>
      {TOOLS.map((x) => (
        <button
          key={x.id}
          class={`btn icon lbl${tool === x.id ? ' on' : ''}`}
          role="radio"
          aria-checked={tool === x.id}
          title={t(x.label)}
          aria-label={t(x.label)}
          onClick={() => setTool(x.id)}
        >
          <Icon name={x.icon} />
          <span class="tl">{t(x.short)}</span>
        </button>
      ))}
    </span>
  );
}
