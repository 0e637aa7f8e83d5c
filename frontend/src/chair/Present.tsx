// Presenting: pick a document, see its pages as thumbnails, and tap one to
// show it to everyone; arrows (on screen and on the keyboard) turn the page
// for the room; Hide stops presenting. The preview is the page the room
// sees (pdf.js, reusing the tablet's viewer modules). On a tablet every
// document shows at once (the chips wrap onto rows, which scroll on their
// own only when there are very many), and the controls (the page, "present
// this page", Hide) sit above the preview, never under the fold.
import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fileURL } from '../api';
import { retrying } from '../chunks';
import { t } from '../i18n';
import { findItem } from '../live/state';
import { useStore } from '../store';
import type { Doc, User } from '../types';
import { Icon } from '../ui/Icon';
import { toast } from '../ui/Toast';
import type { PdfDoc } from '../viewer/pdf';
import type { Stage } from '../viewer/stage';
import { chairApi } from './api';
import type { LiveRoom } from './live';
import { act, errorText, typing } from './util';

type ThumbsC = ComponentType<{ pdf: PdfDoc; page: number; onPick(n: number): void }>;
interface Mods {
  PdfDoc: typeof PdfDoc;
  Stage: typeof Stage;
  Thumbs: ThumbsC;
}

// pdf.js comes with the cockpit's presentation panel only. Optional (chunks.ts): the cockpit
// works without the preview, and a reload would lose what the chair or the secretary is typing.
let modsP: Promise<Mods> | null = null;
const loadMods = () =>
  (modsP ??= retrying(() => Promise.all([import('../viewer/pdf'), import('../viewer/stage'), import('../viewer/Thumbs')]), { optional: true }).then(([p, s, th]) => ({
    PdfDoc: p.PdfDoc, Stage: s.Stage, Thumbs: th.default,
  })));

/**
 * Who may show a page to everyone (presentation.mayPresent): the chair, an
 * administrator, or the presenter of the current agenda item. Anyone else
 * (the secretary) may preview.
 */
export const mayPresent = (role: string | undefined, me: Pick<User, 'id' | 'is_admin'>, presenterId: string | null | undefined) =>
  role === 'chair' || me.is_admin || (!!presenterId && presenterId === me.id);

export function PresentPanel({ room, me }: { room: LiveRoom; me: User }) {
  const st = useStore(room.state);
  const pres = st.presentation;
  const liveDoc = pres?.document_id && !pres.hidden ? pres.document_id : null;
  const [sel, setSel] = useState<string | null>(null);
  const [localPage, setLocalPage] = useState(1);
  const [pending, setPending] = useState<{ doc: string; page: number } | null>(null);
  const [mods, setMods] = useState<Mods | null>(null);
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  const [failed, setFailed] = useState(false);
  const panelEl = useRef<HTMLElement>(null);
  const stageEl = useRef<HTMLDivElement>(null);
  const sheetEl = useRef<HTMLDivElement>(null);
  const stage = useRef<Stage | null>(null);
  const queue = useRef<{ busy: boolean; next: { doc: string; page: number } | null }>({ busy: false, next: null });

  const cur = st.agenda?.current_item_id ?? null;
  const docs = st.documents;
  const selId = sel ?? liveDoc ?? docs.find((d) => d.agenda_item_id === cur)?.id ?? docs[0]?.id ?? null;
  const doc: Doc | null = docs.find((d) => d.id === selId) ?? null;
  const isLive = !!doc && doc.id === liveDoc;
  const pages = pdf?.pages ?? doc?.pages ?? 0;
  const page = pending && doc && pending.doc === doc.id ? pending.page : isLive ? (pres?.page ?? 1) : localPage;
  const role = st.meeting?.my_role;
  // presentation.Set refuses everyone once the meeting is closed (Writable): the preview stays.
  const closed = st.meeting?.status === 'closed';
  const canPresent = !closed && mayPresent(role, me, findItem(st.agenda?.items, cur)?.presenter_id);
  // What turns the room's page: one who may not present turns the preview only.
  const forRoom = isLive && canPresent;

  useEffect(() => void loadMods().then(setMods), []); // asked again until it comes

  // The preview's stage exists once there is a document to show.
  const hasDocs = st.documents.length > 0;
  useEffect(() => {
    if (!mods || !stageEl.current || !sheetEl.current) return;
    const s = new mods.Stage(stageEl.current, sheetEl.current, { turn: (n) => turnTo.current(n), zoomed: () => {}, shown: () => {} });
    stage.current = s;
    return () => {
      s.destroy();
      stage.current = null;
    };
  }, [mods, hasDocs]);

  useEffect(() => {
    setPdf(null);
    setFailed(false);
    if (!mods || !doc) return;
    let alive = true;
    mods.PdfDoc.get(fileURL(doc)).then((d) => {
      if (!alive) return;
      stage.current?.setDoc(d, doc.id);
      setPdf(d);
    }, () => alive && setFailed(true));
    return () => {
      alive = false;
    };
  }, [mods, hasDocs, doc?.id, doc?.version]);

  useEffect(() => {
    if (pdf && stage.current) void stage.current.show(Math.min(Math.max(1, page), pdf.pages), null, true);
  }, [pdf, page]);

  // The server's state caught up with what we asked: drop the optimistic page.
  useEffect(() => {
    if (pending && liveDoc === pending.doc && pres?.page === pending.page && !queue.current.next && !queue.current.busy) setPending(null);
  }, [pres?.page, liveDoc, pending]);

  /** Shows docId at page n to everyone; rapid turns are sent one after the other, the last one winning. */
  const present = async (docId: string, n: number) => {
    setPending({ doc: docId, page: n });
    const q = queue.current;
    q.next = { doc: docId, page: n };
    if (q.busy) return;
    q.busy = true;
    while (q.next) {
      const x = q.next;
      q.next = null;
      try {
        room.putPresentation(await chairApi.present(room.id, x.doc, x.page));
      } catch (e) {
        toast(errorText(e, 'chair.err.closed'), true);
        q.next = null;
        setPending(null);
      }
    }
    q.busy = false;
    setPending((p) => {
      const now = room.state.get().presentation;
      return p && now?.document_id === p.doc && now.page === p.page ? null : p;
    });
  };

  const turnTo = useRef((_: number) => {});
  /** Whether turning to page n would do anything. */
  const turns = useRef<(n: number) => boolean>(() => false);
  turns.current = (n: number) => {
    if (!doc || (isLive && !forRoom)) return false;
    return Math.min(Math.max(1, n), Math.max(1, pages)) !== page;
  };
  turnTo.current = (n: number) => {
    if (!doc) return;
    const to = Math.min(Math.max(1, n), Math.max(1, pages));
    if (to === page) return;
    if (forRoom) void present(doc.id, to);
    else if (!isLive) setLocalPage(to);
  };

  // Arrows turn the page (for everyone while a document is presented); Page Up/Down too, but only
  // with the focus in this panel: elsewhere they scroll the cockpit. A key that turns nothing
  // (the first or last page, or a page only the presenter may turn) is left to the browser.
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      const dir = e.key === 'ArrowRight' || e.key === 'PageDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'PageUp' ? -1 : 0;
      if (!dir) return;
      if ((e.key === 'PageUp' || e.key === 'PageDown') && !panelEl.current?.contains(e.target as Node)) return;
      if (!turns.current(page + dir)) return;
      e.preventDefault();
      turnTo.current(page + dir);
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, [page]);

  const pick = (d: Doc) => {
    setSel(d.id);
    setLocalPage(1);
  };

  const Thumbs = mods?.Thumbs;
  const liveTitle = liveDoc ? (docs.find((d) => d.id === liveDoc)?.title ?? '') : '';

  return (
    <section ref={panelEl} class="panel present" aria-labelledby="present-h">
      <h2 id="present-h" class="panel-h">
        {t('chair.present.title')}
        <span class="grow" />
        {liveDoc ? (
          // The document's title gives way (ellipsis, whole in the tooltip and on its chip below); the page number does not.
          <span class="badge live live-pill" data-testid="present-live" title={t('chair.present.liveOn', { title: liveTitle, page: pres?.page ?? 1 })}>
            <Icon name="live" />
            <span class="live-lbl">{t('chair.present.liveLabel')}</span>
            <span class="live-doc">{liveTitle}</span>
            <span class="live-pg">· {t('chair.present.livePage', { page: pres?.page ?? 1 })}</span>
          </span>
        ) : pres?.hidden ? (
          <span class="badge warn">{t('live.hidden')}</span>
        ) : (
          <span class="badge" data-testid="present-off">{t('chair.present.nothing')}</span>
        )}
      </h2>
      {docs.length === 0 ? (
        <p class="muted">{st.ready ? t('chair.present.noDocs') : t('common.loading')}</p>
      ) : (
        <>
          <ul class="doclist" aria-label={t('chair.present.docs')}>
            {docs.map((d) => (
              <li key={d.id}>
                <button aria-pressed={d.id === selId} class={`docchip${d.id === selId ? ' on' : ''}`} data-testid="doc-chip" title={d.title} onClick={() => pick(d)}>
                  <span class="doc-title">{d.title}</span>
                  <span class="doc-meta">
                    {t('doc.pages', { pages: d.pages })}
                    {d.confidential && <span class="badge warn">{t('doc.confidential')}</span>}
                    {d.id === liveDoc && <span class="badge live">{t('live.badge')}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <div class="present-bar" role="toolbar" aria-label={t('chair.present.controls')}>
            <button class="btn icon big" title={t('viewer.prev')} aria-label={t('viewer.prev')} disabled={!doc || page <= 1 || (isLive && !canPresent)} data-testid="page-prev" onClick={() => turnTo.current(page - 1)}>
              <Icon name="left" />
            </button>
            <span class="pageof" aria-live="polite" data-testid="chair-pageof">{t('viewer.pageOf', { page, pages: pages || '…' })}</span>
            <button class="btn icon big" title={t('viewer.next')} aria-label={t('viewer.next')} disabled={!doc || page >= pages || (isLive && !canPresent)} data-testid="page-next" onClick={() => turnTo.current(page + 1)}>
              <Icon name="right" />
            </button>
            <span class="grow" />
            {doc && !isLive && canPresent && (
              <button class="btn primary big" data-testid="present-doc" onClick={() => void present(doc.id, page)}>
                <Icon name="live" /> {t('chair.present.show', { page })}
              </button>
            )}
            {canPresent && (liveDoc || pres?.hidden) && (
              <button class="btn big" data-testid="present-hide" onClick={() => void act(async () => room.putPresentation(await chairApi.stopPresenting(room.id)), t('chair.present.hidden'), 'chair.err.closed')}>
                {t('chair.present.hide')}
              </button>
            )}
          </div>
          {canPresent && <p class="hint-line">{isLive ? t('chair.present.hintLive') : t('chair.present.hintPreview')}</p>}
          {closed ? (
            <p class="hint-line" data-testid="present-closed">{t('chair.present.closedNote')}</p>
          ) : !canPresent && <p class="hint-line" data-testid="present-not-yours">{t('chair.present.secretaryNote')}</p>}
          <div class="present-body">
            {Thumbs && pdf && (
              <Thumbs pdf={pdf} page={page} onPick={(n) => (!doc ? undefined : canPresent ? void present(doc.id, n) : !isLive ? setLocalPage(n) : undefined)} />
            )}
            <div class="stage" ref={stageEl} data-testid="chair-stage">
              <div class="sheet" ref={sheetEl} />
              {!pdf && !failed && <div class="loading">{t('viewer.loading')}</div>}
              {failed && <div class="loading error">{t('viewer.failed')}</div>}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
