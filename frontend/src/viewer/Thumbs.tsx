// Thumbnails of every page, rendered only when scrolled into view and one
// at a time, so a 300-page pack costs only what is looked at.
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';
import type { PdfDoc } from './pdf';

const WIDTH = 96;

export default function Thumbs({ pdf, page, onPick }: { pdf: PdfDoc; page: number; onPick(n: number): void }) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const root = list.current!;
    let queue: HTMLElement[] = [];
    let busy = false;
    let alive = true;
    const next = async () => {
      if (busy || !alive) return;
      const el = queue.shift();
      if (!el) return;
      busy = true;
      try {
        const n = Number(el.dataset.n);
        const size = await pdf.size(n);
        const c = await pdf.render(n, (WIDTH / size.w) * (window.devicePixelRatio || 1)).promise;
        if (alive) el.querySelector('.thumb')!.replaceChildren(c);
      } catch {
        /* a page that fails keeps its number only */
      }
      busy = false;
      void next();
    };
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const el = e.target as HTMLElement;
        if (e.isIntersecting && !el.dataset.done) {
          el.dataset.done = '1';
          queue.push(el);
          io.unobserve(el);
        }
      }
      void next();
    }, { root, rootMargin: '200px' });
    root.querySelectorAll('li').forEach((li) => io.observe(li));
    return () => {
      alive = false;
      queue = [];
      io.disconnect();
    };
  }, [pdf]);

  // The page's thumbnail into sight, by scrolling the strip alone: scrollIntoView would also scroll
  // every scrollable ancestor, and the cockpit opened scrolled down to the strip on narrow screens.
  useEffect(() => {
    const root = list.current;
    const li = root?.querySelector<HTMLElement>(`li[data-n="${page}"]`);
    if (root && li) root.scrollTop += stripOffset(root.getBoundingClientRect(), li.getBoundingClientRect());
  }, [page]);

  return (
    <ol class="thumbs" ref={list} aria-label={t('viewer.thumbnails')}>
      {Array.from({ length: pdf.pages }, (_, i) => (
        <li key={i} data-n={i + 1}>
          <button class={page === i + 1 ? 'on' : ''} aria-current={page === i + 1 ? 'page' : undefined} aria-label={t('viewer.goToPage', { page: i + 1 })} onClick={() => onPick(i + 1)}>
            <span class="thumb" />
            <span class="n">{i + 1}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}

/** How far to scroll a strip (its box) so that an item (its box) is wholly in sight, the least way (0: already is). */
export function stripOffset(box: { top: number; bottom: number }, item: { top: number; bottom: number }): number {
  if (item.top < box.top) return item.top - box.top;
  if (item.bottom > box.bottom) return Math.min(item.bottom - box.bottom, item.top - box.top);
  return 0;
}
