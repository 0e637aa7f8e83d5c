// The presenter's pointer and temporary pen on the page. Followers see a
// red dot where the presenter points and the presenter's temporary strokes
// as they are drawn; the presenter, with the laser or the temporary pen on,
// has the surface that sends them. Sits over the page (and its annotations)
// at the page's size, the strokes in an SVG whose viewBox is the page in
// points, so they sit in the same place at any zoom, rotation or screen
// size. Nothing here is stored: the strokes go on "clear", when the
// presented page changes, and when the presenter stops presenting. Loaded
// after the first page is on screen.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { dotOn, POINTER_FADE, PointerSender, StrokeSender, TempStrokes, type PointerLink, type TempStroke } from '../live/pointer';
import { t } from '../i18n';
import type { Size } from './geometry';

/** The presenter's tools: the laser dot, or the temporary pen. */
export type PresenterTool = 'laser' | 'pen';

export interface PointerProps {
  link: PointerLink;
  docId: string;
  page: number;
  /** The page's size in points. */
  size: Size;
  me: string;
  /** The presenter's tool that is on (null: none; only offered when link.canPoint). */
  tool: PresenterTool | null;
  /** Changes when the presenter asks to clear the temporary strokes (the toolbar's button). */
  clear?: number;
  /** How many temporary strokes are on this page now (the toolbar shows "clear" when there are). */
  onStrokes?(n: number): void;
}

/** How long cleared strokes take to fade out (ms; the CSS animation is as long). */
const FADE_MS = 400;

export default function Pointer(p: PointerProps) {
  const el = useRef<HTMLDivElement>(null);
  const [dot, setDot] = useState<{ fx: number; fy: number; mine: boolean } | null>(null);
  const [fresh, setFresh] = useState(false);
  const fade = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const where = useRef({ docId: p.docId, page: p.page, size: p.size });
  where.current = { docId: p.docId, page: p.page, size: p.size };
  const link = useRef(p.link);
  link.current = p.link;
  const canPoint = p.link.canPoint;

  // The temporary strokes (everyone's, mine too), and those fading out after a clear.
  const strokes = useMemo(() => new TempStrokes(), []);
  const [, setTick] = useState(0);
  const redraw = () => setTick((n) => n + 1);
  const [fading, setFading] = useState<{ strokes: TempStroke[]; key: number } | null>(null);
  const fadeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Clears the strokes; with a fade when they were on this page. */
  const clearAll = (animate: boolean) => {
    const shown = strokes.on(where.current.docId, where.current.page);
    strokes.reset();
    clearTimeout(fadeTimer.current);
    if (animate && shown.length) {
      setFading({ strokes: shown, key: Date.now() });
      fadeTimer.current = setTimeout(() => setFading(null), FADE_MS);
    } else setFading(null);
    redraw();
  };

  const show = (d: { fx: number; fy: number; mine: boolean } | null) => {
    clearTimeout(fade.current);
    setDot(d);
    setFresh(!!d);
    if (d) fade.current = setTimeout(() => setFresh(false), POINTER_FADE);
  };

  // Another page or document: the dot was for the old one.
  useEffect(() => show(null), [p.docId, p.page]);
  useEffect(
    () => () => {
      clearTimeout(fade.current);
      clearTimeout(fadeTimer.current);
    },
    [],
  );

  // --- the presenter's side: the laser, the temporary pen ---
  const laser = useMemo(
    () =>
      new PointerSender((kind, x, y) => {
        const w = where.current;
        link.current.send({ document_id: w.docId, page: w.page, kind, x, y });
      }),
    [],
  );
  // The page the presenter's pen draws on (its pieces go there, even if the viewer has moved since).
  const penPage = useRef<{ docId: string; page: number } | null>(null);
  const pen = useMemo(
    () =>
      new StrokeSender((piece) => {
        const at = penPage.current;
        if (at) link.current.send({ document_id: at.docId, page: at.page, kind: 'stroke', ...piece });
      }),
    [],
  );
  // The stroke being drawn: which pointer draws it and the stroke's id.
  const drawing = useRef<{ pointerId: number; key: string } | null>(null);
  const stopPen = () => {
    pen.cancel();
    drawing.current = null;
  };
  /** The page of the strokes and whether some of them are mine; null when there are none. */
  const mine = () => {
    const at = strokes.where;
    if (at === null) return null;
    const sep = at.lastIndexOf(':');
    const docId = at.slice(0, sep);
    const page = Number(at.slice(sep + 1));
    return { docId, page, some: strokes.on(docId, page).some((s) => s.by === p.me) };
  };
  /** The presenter stops: their strokes go, for everyone (a clear for the page they are on). */
  const clearMine = (unmounted = false) => {
    stopPen();
    const m = mine();
    if (!m?.some) return;
    link.current.send({ document_id: m.docId, page: m.page, kind: 'clear' });
    if (unmounted) strokes.reset();
    else clearAll(false);
  };

  // The presented page changed, or nothing is presented any more: the strokes were for the old one
  // (unless they already belong to the new one: a piece may come before the presentation's event).
  // Without a presented page to go by, the viewer's page decides.
  const live = p.link.live === undefined ? `${p.docId}:${p.page}` : p.link.live;
  useEffect(() => {
    if (strokes.where !== null && strokes.where !== live) {
      stopPen();
      clearAll(false);
    }
  }, [live]);

  // Another agenda item (perhaps another presenter): the strokes were the last one's.
  const lastItem = useRef(p.link.item);
  useEffect(() => {
    if (p.link.item === lastItem.current) return;
    lastItem.current = p.link.item;
    if (strokes.size) {
      stopPen();
      clearAll(false);
    }
  }, [p.link.item]);

  // The room's pointer messages.
  useEffect(
    () =>
      p.link.moves.subscribe((m) => {
        if (!m || m.by === p.me) return;
        const w = where.current;
        if (m.kind === 'stroke') {
          if (strokes.apply(m)) redraw();
          return;
        }
        if (m.kind === 'clear') {
          if (m.document_id === w.docId) show(null);
          if (strokes.where !== null && strokes.where.startsWith(`${m.document_id}:`)) clearAll(true);
          return;
        }
        if (m.kind === 'hide') {
          if (m.document_id === w.docId) show(null);
          return;
        }
        const d = dotOn(m, w.docId, w.page, w.size);
        if (d) show({ ...d, mine: false });
      }),
    [p.link.moves, p.me],
  );

  // The tool changes: the laser's dot goes away, a stroke being drawn ends.
  useEffect(() => {
    if (p.tool !== 'laser') {
      laser.hide();
      setDot((d) => (d?.mine ? null : d));
    }
    if (p.tool !== 'pen') {
      pen.end();
      drawing.current = null;
    }
  }, [p.tool]);
  // The presenter stops presenting (no longer the presenter, browsing away, offline) or leaves the
  // room: their strokes go, for everyone.
  useEffect(() => {
    if (!canPoint) clearMine();
  }, [canPoint]);
  useEffect(
    () => () => {
      laser.hide();
      clearMine(true);
    },
    [],
  );
  useEffect(() => {
    laser.cancel();
    if (penPage.current && (penPage.current.docId !== p.docId || penPage.current.page !== p.page)) stopPen();
  }, [p.docId, p.page]);
  // The toolbar's "clear".
  const lastClear = useRef(p.clear);
  useEffect(() => {
    if (p.clear === lastClear.current) return;
    lastClear.current = p.clear;
    if (!link.current.canPoint) return;
    stopPen();
    link.current.send({ document_id: p.docId, page: p.page, kind: 'clear' });
    clearAll(true);
  }, [p.clear]);

  const onPage = strokes.on(p.docId, p.page);
  const count = onPage.length;
  const onStrokes = useRef(p.onStrokes);
  onStrokes.current = p.onStrokes;
  useEffect(() => onStrokes.current?.(count), [count]);

  /** Where a pointer event is, in fractions of the page (clamped to it); null when the layer has no size. */
  const frac = (e: PointerEvent) => {
    const r = el.current!.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return null;
    return { fx: Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), fy: Math.min(1, Math.max(0, (e.clientY - r.top) / r.height)) };
  };

  const addPoint = (e: PointerEvent) => {
    const d = drawing.current;
    if (!d) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    const pts: number[][] = [];
    for (const ev of events.length ? events : [e]) {
      const f = frac(ev);
      if (f) pts.push([f.fx * p.size.w, f.fy * p.size.h]);
    }
    for (const [x, y] of pts) pen.add(x, y);
    if (strokes.apply({ document_id: p.docId, page: p.page, by: p.me, kind: 'stroke', stroke: d.key, points: pts })) redraw();
  };

  const down = (e: PointerEvent) => {
    if (!canPoint || !p.tool) return;
    if (p.tool === 'laser') return point(e);
    if (drawing.current || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const f = frac(e);
    if (!f) return;
    e.preventDefault();
    try {
      el.current!.setPointerCapture(e.pointerId);
    } catch {
      /* a synthetic event */
    }
    penPage.current = { docId: p.docId, page: p.page };
    const x = f.fx * p.size.w;
    const y = f.fy * p.size.h;
    const key = pen.start(x, y);
    drawing.current = { pointerId: e.pointerId, key };
    if (strokes.apply({ document_id: p.docId, page: p.page, by: p.me, kind: 'stroke', stroke: key, points: [[x, y]] })) redraw();
  };
  const move = (e: PointerEvent) => {
    if (!canPoint || !p.tool) return;
    if (p.tool === 'laser') return point(e);
    if (drawing.current?.pointerId === e.pointerId) addPoint(e);
  };
  const up = (e: PointerEvent) => {
    if (drawing.current?.pointerId !== e.pointerId) return;
    addPoint(e);
    pen.end();
    drawing.current = null;
  };

  const point = (e: PointerEvent) => {
    const f = frac(e);
    if (!f) return;
    show({ ...f, mine: true });
    laser.move(f.fx * p.size.w, f.fy * p.size.h);
  };
  const leave = (e: PointerEvent) => {
    if (p.tool !== 'laser' || e.pointerType === 'touch') return; // a lifted finger: the dot fades by itself
    laser.hide();
    setDot((d) => (d?.mine ? null : d));
  };

  const w = p.size.w > 0 ? p.size.w : 1;
  const h = p.size.h > 0 ? p.size.h : 1;
  const active = canPoint && !!p.tool;
  return (
    <div
      ref={el}
      class={`laser-layer${active ? ` active tool-${p.tool}` : ''}`}
      data-testid="laser-layer"
      onPointerDown={down}
      onPointerMove={move}
      onPointerUp={up}
      onPointerCancel={(e) => {
        up(e);
        leave(e);
      }}
      onPointerLeave={leave}
    >
      {(count > 0 || fading) && (
        <svg
          class="temp-strokes"
          viewBox={`0 0 ${w} ${h}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={t('pointer.strokes')}
          data-testid="temp-strokes"
          data-count={count}
        >
          {fading && (
            <g class="fading" key={`f${fading.key}`}>
              {fading.strokes.map((s) => <polyline key={s.key} points={line(s.points)} stroke={s.colour} stroke-width={s.width} />)}
            </g>
          )}
          {onPage.map((s) => (
            <polyline key={s.key} class="temp-stroke" data-testid="temp-stroke" data-mine={s.by === p.me ? '1' : '0'} points={line(s.points)} stroke={s.colour} stroke-width={s.width} />
          ))}
        </svg>
      )}
      {dot && (
        <span
          class={`laser-dot${fresh ? '' : ' faded'}`}
          data-testid="laser"
          data-mine={dot.mine ? '1' : '0'}
          role="img"
          aria-label={t('pointer.dot')}
          style={{ left: `${dot.fx * 100}%`, top: `${dot.fy * 100}%` }}
        />
      )}
    </div>
  );
}

/** SVG points of a stroke; a single point twice, so that its round caps draw a dot. */
function line(pts: number[][]): string {
  const s = pts.map((q) => `${q[0]},${q[1]}`).join(' ');
  return pts.length === 1 ? `${s} ${s}` : s;
}
