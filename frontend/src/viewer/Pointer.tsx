// The presenter's pointer on the page: a red dot where the presenter points
// (followers), and, for the presenter with the pointer tool on, the surface
// that sends where they point. Sits over the page (and its annotations) at
// the page's size, so page points map to the screen at any zoom. Loaded
// after the first page is on screen.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { dotOn, POINTER_FADE, PointerSender, type PointerLink } from '../live/pointer';
import { t } from '../i18n';
import type { Size } from './geometry';

export interface PointerProps {
  link: PointerLink;
  docId: string;
  page: number;
  /** The page's size in points. */
  size: Size;
  me: string;
  /** The pointer tool is on: this user points. */
  active: boolean;
}

export default function Pointer(p: PointerProps) {
  const el = useRef<HTMLDivElement>(null);
  const [dot, setDot] = useState<{ fx: number; fy: number; mine: boolean } | null>(null);
  const [fresh, setFresh] = useState(false);
  const fade = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const where = useRef({ docId: p.docId, page: p.page, size: p.size });
  where.current = { docId: p.docId, page: p.page, size: p.size };

  const show = (d: { fx: number; fy: number; mine: boolean } | null) => {
    clearTimeout(fade.current);
    setDot(d);
    setFresh(!!d);
    if (d) fade.current = setTimeout(() => setFresh(false), POINTER_FADE);
  };

  // Another page or document: the dot was for the old one.
  useEffect(() => show(null), [p.docId, p.page]);
  useEffect(() => () => clearTimeout(fade.current), []);

  // The room's pointer messages.
  useEffect(
    () =>
      p.link.moves.subscribe((m) => {
        if (!m || m.by === p.me) return;
        const w = where.current;
        if (m.kind === 'hide' || m.kind === 'clear') {
          if (m.document_id === w.docId) show(null);
          return;
        }
        const d = dotOn(m, w.docId, w.page, w.size);
        if (d) show({ ...d, mine: false });
      }),
    [p.link.moves, p.me],
  );

  const link = useRef(p.link);
  link.current = p.link;
  const sender = useMemo(
    () =>
      new PointerSender((kind, x, y) => {
        const w = where.current;
        link.current.send({ document_id: w.docId, page: w.page, kind, x, y });
      }),
    [],
  );
  useEffect(() => {
    if (!p.active) {
      sender.hide();
      setDot((d) => (d?.mine ? null : d));
    }
  }, [p.active]);
  useEffect(() => () => sender.hide(), [sender]);
  useEffect(() => sender.cancel(), [p.docId, p.page]);

  const point = (e: PointerEvent) => {
    if (!p.active) return;
    const r = el.current!.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return;
    const fx = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const fy = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    show({ fx, fy, mine: true });
    sender.move(fx * p.size.w, fy * p.size.h);
  };
  const leave = (e: PointerEvent) => {
    if (e.pointerType === 'touch') return; // a lifted finger: the dot fades by itself
    sender.hide();
    setDot((d) => (d?.mine ? null : d));
  };

  return (
    <div
      ref={el}
      class={`laser-layer${p.active ? ' active' : ''}`}
      data-testid="laser-layer"
      onPointerDown={point}
      onPointerMove={point}
      onPointerLeave={leave}
      onPointerCancel={leave}
    >
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
