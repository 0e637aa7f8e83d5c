// The annotation layer over a page: draws with pen and highlighter, erases,
// places plain-text notes, and shows mine and the shared ones. Loaded after
// the first page is on screen. Coordinates are the server's: PDF points of
// the displayed page (see types.ts); the SVG's viewBox is the page in points.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t } from '../i18n';
import type { Store } from '../store';
import type { LiveEvent } from '../types';
import { backendFor, newId, type Backend, type Listing } from './backend';
import { applyAnnotationEvent, upsert } from './events';
import { clampPoint, decimate, distanceToHighlight, distanceToInk, simplify, strokeToRects } from './geometry';
import { authorNames } from './people';
import type { Annotation, AnnotationData, HighlightData, InkData, LayerProps, NoteData, Point } from './types';

// Marks made while sharing take the shared colours (green, also in the
// annotated PDF), so the room-wide ones stand apart from the private ones
// (blue pen, yellow highlighter). Others' marks are drawn faded and dashed
// (styles.css: data-mine, data-shared).
const PEN = { colour: '#1d4ed8', width: 1.6 };
const SHARED_PEN = '#047857';
const MARKER = { colour: '#facc15', width: 12, opacity: 0.4 };
const SHARED_MARKER = '#4ade80';
/** A note's touch target, in CSS pixels at any zoom (the app's 44 px rule, with a margin for rounding). */
const NOTE_TARGET_PX = 48;
/** The drawn note icon, in points. */
const NOTE_ICON = 18;

export interface FullLayerProps extends LayerProps {
  events?: Store<LiveEvent | null>;
  onMode?(remote: boolean): void;
  /** Something could not be saved (a message for the user), or null once it is. */
  onError?(message: string | null): void;
}

export default function Layer(p: FullLayerProps) {
  const [backend, setBackend] = useState<Backend | null>(null);
  const [all, setAll] = useState<Annotation[]>([]);
  const [draft, setDraft] = useState<Point[] | null>(null);
  const [editing, setEditing] = useState<{ x: number; y: number; note?: Annotation } | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const drawingId = useRef<number | null>(null);
  const gone = useRef(new Set<string>()); // deleted here: a late event must not bring them back
  // When each mark last changed here (a live event, my own edit): a listing
  // keeps the shown copy of what changed while it was in flight.
  const changed = useRef({ n: 0, at: new Map<string, number>() });
  const touch = (id: string) => changed.current.at.set(id, ++changed.current.n);
  const [reload, setReload] = useState(0);
  const listTries = useRef(0); // listings in a row made without the server
  const [pxPerPt, setPxPerPt] = useState(1);
  const [names, setNames] = useState<Map<string, string> | null>(null);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => alive && setReload((n) => n + 1);
    void backendFor(p.docId, p.me).then(async (b) => {
      if (!alive) return;
      setBackend(b); // drawing works before the list answers: the queue keeps those marks and lists them
      const c = changed.current;
      const since = c.n;
      const list: Listing = await b.list(p.docId, p.version).catch(() => [] as Annotation[]);
      if (!alive) return;
      const fresh = list.filter((a) => !gone.current.has(a.id));
      const same = (a: Annotation) => a.document_id === p.docId && !(p.version && a.version && a.version !== p.version) && !gone.current.has(a.id);
      if (list.partial) {
        // The server could not be reached: keep what is shown of this document
        // with my unsent marks, and ask again (sooner when the network is back).
        setAll((l) => fresh.reduce(upsert, l.filter(same)));
        timer = setTimeout(again, Math.min(30000, 2000 * 2 ** listTries.current++));
        window.addEventListener('online', again);
      } else {
        listTries.current = 0;
        // The answer, but what an event or I changed while it was in flight stays as shown (deletions are in gone).
        const late = new Set([...c.at].flatMap(([id, n]) => (n > since ? [id] : [])));
        c.at.clear();
        setAll((l) => l.filter((a) => late.has(a.id) && same(a)).reduce(upsert, fresh));
      }
      p.onMode?.(b.remote);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      window.removeEventListener('online', again);
    };
  }, [p.docId, p.version, reload]);

  // CSS pixels per point: a note's touch target keeps its size in pixels at any zoom.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && p.size.w > 0) setPxPerPt(r.width / p.size.w);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.size.w]);

  // Others' shared annotations, and mine from my other sessions, arrive through the live hub.
  useEffect(() => {
    if (!p.events) return;
    return p.events.subscribe((ev) => {
      if (ev?.type === 'resync') return setReload((n) => n + 1);
      if (!ev || !ev.type.startsWith('annotation')) return;
      const d = ev.data as { id?: unknown; items?: { id?: unknown }[] } | null;
      for (const a of Array.isArray(d?.items) ? d.items : [d]) if (typeof a?.id === 'string') touch(a.id);
      setAll((l) => applyAnnotationEvent(l, ev, p.docId, p.version, gone.current));
    });
  }, [p.events, p.docId, p.version]);

  const { w, h } = p.size;
  const onPage = all.filter((a) => a.page === p.page);
  const mine = (a: Annotation) => !a.author_id || a.author_id === p.me;

  // The authors of others' notes on this page (asked once per document, only when there are any).
  const othersNotes = backend?.remote === true && onPage.some((a) => a.kind === 'note' && !mine(a));
  useEffect(() => {
    if (!othersNotes) return;
    let alive = true;
    authorNames(p.docId).then(
      (m) => alive && setNames(m),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [othersNotes, p.docId]);
  /** Whose the note is and who sees it, in words. */
  const noteLabel = (a: Annotation) => {
    if (mine(a)) return a.shared ? t('annot.sharedNote') : t('annot.privateNote');
    const name = a.author_id ? names?.get(a.author_id) : undefined;
    return name ? t('annot.noteBy', { name }) : t('annot.noteByOther');
  };
  const penColour = p.shared ? SHARED_PEN : PEN.colour;
  const markerColour = p.shared ? SHARED_MARKER : MARKER.colour;

  /** The pointer's position in page points. */
  const at = (e: PointerEvent): Point => {
    const r = svg.current!.getBoundingClientRect();
    return clampPoint(((e.clientX - r.left) / r.width) * w, ((e.clientY - r.top) / r.height) * h, p.size);
  };

  const failed = (e: unknown) => {
    if (e instanceof ApiError && e.code === 'cancelled') return;
    if (e instanceof ApiError && e.reason === 'annotation_limit') return p.onError?.(t('annot.tooMany')); // the counts or bytes of AnnotationLimits
    p.onError?.(e instanceof ApiError && e.status === 403 ? t('annot.cannotShare') : t('annot.notSaved'));
  };

  // Shown at once; the backend confirms it (or, refused, it goes away).
  const add = async (kind: Annotation['kind'], data: AnnotationData) => {
    const a: Annotation = { id: newId(), document_id: p.docId, version: p.version, page: p.page, kind, shared: !!p.shared, data, author_id: p.me };
    touch(a.id);
    setAll((l) => [...l, a]);
    const b = backend ?? (await backendFor(p.docId, p.me));
    const made = await b.create(a).catch((e) => {
      setAll((l) => l.filter((x) => x.id !== a.id));
      failed(e);
      return null;
    });
    if (made && !gone.current.has(made.id)) {
      p.onError?.(null);
      setAll((l) => upsert(l, made));
    }
  };

  const update = async (a: Annotation, changes: { shared?: boolean; data?: AnnotationData }) => {
    if (!backend || !mine(a)) return;
    touch(a.id);
    setAll((l) => l.map((x) => (x.id === a.id ? { ...x, ...changes } : x)));
    await backend.update(a, changes).then(
      (r) => setAll((l) => upsert(l, r)),
      (e) => {
        setAll((l) => l.map((x) => (x.id === a.id ? a : x)));
        failed(e);
      },
    );
  };

  const remove = async (a: Annotation) => {
    if (!backend || !mine(a)) return; // only my own
    gone.current.add(a.id);
    setAll((l) => l.filter((x) => x.id !== a.id));
    await backend.remove(a).catch((e) => {
      gone.current.delete(a.id);
      touch(a.id);
      setAll((l) => upsert(l, a));
      failed(e);
    });
  };

  const erase = (e: PointerEvent) => {
    const [x, y] = at(e);
    const tol = 10 * (w / svg.current!.getBoundingClientRect().width); // 10 CSS pixels, in points
    const hit = onPage.find(
      (a) =>
        mine(a) &&
        ((a.kind === 'ink' && distanceToInk(a.data as InkData, x, y) < tol + (a.data as InkData).width / 2) ||
          (a.kind === 'highlight' && distanceToHighlight(a.data as HighlightData, x, y) < tol)),
    );
    if (hit) void remove(hit);
  };
  const down = (e: PointerEvent) => {
    if (p.tool === 'none') return;
    e.preventDefault();
    e.stopPropagation();
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    if (p.tool === 'note') {
      const [x, y] = at(e);
      setEditing({ x, y });
    } else if (p.tool === 'eraser') {
      drawingId.current = e.pointerId;
      erase(e);
    } else {
      drawingId.current = e.pointerId;
      setDraft([at(e)]);
    }
  };
  const move = (e: PointerEvent) => {
    if (drawingId.current !== e.pointerId) return;
    if (p.tool === 'eraser') return erase(e);
    const pts: Point[] = [];
    for (const ce of e.getCoalescedEvents?.() ?? [e]) pts.push(at(ce));
    setDraft((d) => (d ? [...d, ...pts] : d));
  };
  const up = (e: PointerEvent) => {
    if (drawingId.current !== e.pointerId) return;
    drawingId.current = null;
    if (draft && p.tool === 'pen') {
      void add('ink', { colour: penColour, width: PEN.width, strokes: [decimate(simplify(draft, 0.5), 5000)] } satisfies InkData);
    } else if (draft && p.tool === 'highlighter') {
      void add('highlight', { colour: markerColour, opacity: MARKER.opacity, rects: strokeToRects(draft, MARKER.width, p.size) } satisfies HighlightData);
    }
    setDraft(null);
  };

  const line = (pts: Point[]) => pts.map((q) => `${q[0]},${q[1]}`).join(' ');
  const rects = (d: HighlightData) => d.rects.map((r) => `M${r.x} ${r.y}h${r.w}v${r.h}h${-r.w}z`).join('');

  return (
    <>
      <svg
        ref={svg}
        class={`annot ${p.tool === 'none' ? 'idle' : 'active'}`}
        viewBox={`0 0 ${w} ${h}`}
        preserveAspectRatio="none"
        data-testid="annotations"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      >
        {onPage.map((a) => {
          const own = mine(a) ? '1' : '0';
          if (a.kind === 'note') {
            const n = a.data as NoteData;
            const open = () => setEditing({ x: n.x, y: n.y, note: a });
            const label = noteLabel(a);
            // The touch target: 48 CSS px whatever the zoom, never smaller than the icon.
            const hit = Math.max(NOTE_ICON, NOTE_TARGET_PX / pxPerPt);
            return (
              <g
                key={a.id}
                class="note"
                role="button"
                tabIndex={0}
                aria-label={`${t('annot.openNote')}: ${label}`}
                data-id={a.id}
                data-shared={a.shared ? '1' : undefined}
                data-mine={own}
                transform={`translate(${n.x} ${n.y})`}
                onPointerDown={(e) => {
                  if (p.tool === 'eraser') {
                    e.stopPropagation();
                    void remove(a);
                  } else if (p.tool === 'none' || p.tool === 'note') {
                    e.stopPropagation();
                    open();
                  }
                }}
                onKeyDown={(e) => e.key === 'Enter' && open()}
              >
                <title>{label}</title>
                <rect class="hit" x={-hit / 2} y={-hit / 2} width={hit} height={hit} />
                <rect class="icon" x="-9" y="-9" width="18" height="18" rx="3" style={n.colour ? { fill: n.colour } : undefined} />
                <path d="M-5 -3h10M-5 1h10M-5 5h6" />
                {own === '1' &&
                  (a.shared ? (
                    // a person: everyone sees it
                    <g class="badge shared" transform="translate(9 -9)">
                      <circle r="5.5" />
                      <circle class="glyph" cy="-1.4" r="1.5" />
                      <path class="glyph" d="M-2.8 3a2.8 2.4 0 0 1 5.6 0z" />
                    </g>
                  ) : (
                    // a padlock: only I see it
                    <g class="badge private" transform="translate(9 -9)">
                      <circle r="5.5" />
                      <rect x="-2.5" y="-0.5" width="5" height="3.5" rx="0.5" />
                      <path d="M-1.6 -0.5v-1.4a1.6 1.6 0 0 1 3.2 0v1.4" />
                    </g>
                  ))}
              </g>
            );
          }
          if (a.kind === 'highlight') {
            const d = a.data as HighlightData;
            return <path key={a.id} class="highlight" data-id={a.id} data-shared={a.shared ? '1' : undefined} data-mine={own} d={rects(d)} fill={d.colour} fill-opacity={d.opacity} />;
          }
          const d = a.data as InkData;
          return d.strokes.map((s, i) => (
            <polyline key={`${a.id}.${i}`} class="ink" data-id={a.id} data-shared={a.shared ? '1' : undefined} data-mine={own} points={line(s)} stroke={d.colour} stroke-width={d.width} />
          ));
        })}
        {draft && (
          <polyline
            class={p.tool === 'pen' ? 'ink draft' : 'highlight draft'}
            points={line(draft)}
            stroke={p.tool === 'pen' ? penColour : markerColour}
            stroke-width={p.tool === 'pen' ? PEN.width : MARKER.width}
          />
        )}
      </svg>
      {editing && (
        <NoteEditor
          note={editing.note}
          mine={!editing.note || mine(editing.note)}
          whose={editing.note && !mine(editing.note) ? noteLabel(editing.note) : undefined}
          shared={editing.note ? editing.note.shared : !!p.shared}
          onClose={() => setEditing(null)}
          onSave={(text, shared) => {
            const at = editing;
            setEditing(null);
            const n = at.note;
            if (!n) {
              if (text.trim()) void add('note', { x: at.x, y: at.y, text: text.trim() });
              return;
            }
            const d = n.data as NoteData;
            if (!text.trim()) return void remove(n);
            const changes: { shared?: boolean; data?: AnnotationData } = {};
            if (text.trim() !== d.text) changes.data = { ...d, text: text.trim() };
            if (shared !== n.shared) changes.shared = shared;
            if (changes.data || changes.shared !== undefined) void update(n, changes);
          }}
          onDelete={() => {
            if (editing.note) void remove(editing.note);
            setEditing(null);
          }}
        />
      )}
    </>
  );
}

function NoteEditor(p: { note?: Annotation; mine: boolean; whose?: string; shared: boolean; onSave(text: string, shared: boolean): void; onDelete(): void; onClose(): void }) {
  const [text, setText] = useState((p.note?.data as NoteData | undefined)?.text ?? '');
  const [shared, setShared] = useState(p.shared);
  const ta = useRef<HTMLTextAreaElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  // My note opens to be written in; someone else's only to be read (the focus on its Close button, for Escape and a keyboard).
  useEffect(() => (p.mine ? ta.current : close.current)?.focus(), []);
  return (
    <div class="modal-back" onPointerDown={(e) => e.stopPropagation()}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="note-title" aria-describedby={p.mine ? undefined : 'note-read'} onKeyDown={(e) => e.key === 'Escape' && p.onClose()}>
        <h2 id="note-title">{t('annot.note')}</h2>
        {p.whose && <p class="note-by" data-testid="note-by">{p.whose}</p>}
        {p.mine ? (
          <textarea ref={ta} rows={5} value={text} aria-label={t('annot.noteText')} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        ) : (
          <p id="note-read" class="note-read" data-testid="note-read">{text}</p>
        )}
        {p.note && p.mine && (
          <label class="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared((e.target as HTMLInputElement).checked)} /> {t('annot.shared')}
          </label>
        )}
        {/* Who will see what I write: the room, or only me (the toolbar's choice for a new note, the box above for mine). */}
        {p.mine && (
          <p class={`note-audience${shared ? ' shared' : ''}`} data-testid="note-audience">
            {shared ? t('annot.noteAudienceShared') : t('annot.noteAudiencePrivate')}
          </p>
        )}
        <div class="row end">
          {p.note && p.mine && (
            <button class="btn danger" onClick={p.onDelete}>{t('common.delete')}</button>
          )}
          {p.mine ? (
            <button class="btn" onClick={p.onClose}>{t('common.cancel')}</button>
          ) : (
            <button ref={close} class="btn" data-testid="note-close" onClick={p.onClose}>{t('common.close')}</button>
          )}
          {p.mine && <button class="btn primary" onClick={() => p.onSave(text, shared)}>{t('common.save')}</button>}
        </div>
      </div>
    </div>
  );
}
