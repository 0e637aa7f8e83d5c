// The agenda as a numbered tree, the current item marked with the time it
// has taken against the time planned, and each item's documents.
import { useEffect, useRef } from 'preact/hooks';
import { clock, t } from '../i18n';
import { itemClockSec } from '../live/state';
import type { Agenda, AgendaItem, Doc } from '../types';
import { choose } from '../viewer/chosen';
import { useNow } from './hooks';
import { Icon } from './Icon';

interface Props {
  agenda: Agenda | null;
  documents: Doc[];
  openDoc: string | null;
  liveDoc: string | null;
  onOpen(d: Doc): void;
}

/** onClose: the pane is open as a drawer (narrow screens); it then has a close button, which takes the focus. */
export function AgendaPane({ onClose, ...p }: Props & { onClose?(): void }) {
  const loose = p.documents.filter((d) => !d.agenda_item_id || !hasItem(p.agenda?.items ?? [], d.agenda_item_id));
  const close = useRef<HTMLButtonElement>(null);
  const drawer = !!onClose;
  useEffect(() => {
    if (drawer) close.current?.focus({ preventScroll: true });
  }, [drawer]);
  return (
    <nav class="agenda-pane" id="agenda" aria-label={t('room.agenda')}>
      <div class="pane-head">
        <h2 class="pane-title">{t('room.agenda')}</h2>
        {onClose && (
          <button ref={close} class="btn agenda-close" data-testid="agenda-close" onClick={onClose}>
            <Icon name="close" /> {t('common.close')}
          </button>
        )}
      </div>
      {!p.agenda && <p class="muted pad">{t('common.loading')}</p>}
      {p.agenda && p.agenda.items.length === 0 && <p class="muted pad">{t('agenda.empty')}</p>}
      <ol class="tree">
        {p.agenda?.items.map((it) => <Item key={it.id} it={it} {...p} />)}
      </ol>
      {loose.length > 0 && (
        <>
          <h3 class="pane-sub">{t('agenda.otherDocs')}</h3>
          <Docs docs={loose} {...p} />
        </>
      )}
    </nav>
  );
}

function hasItem(items: AgendaItem[], id: string): boolean {
  return items.some((it) => it.id === id || hasItem(it.items, id));
}

function Item({ it, ...p }: Props & { it: AgendaItem }) {
  const docs = p.documents.filter((d) => d.agenda_item_id === it.id);
  const cur = it.status === 'current';
  return (
    <li class={`item st-${it.status}`} aria-current={cur ? 'step' : undefined} data-testid={cur ? 'current-item' : undefined}>
      <div class="item-row">
        <span class="num">{it.number}</span>
        <span class="item-main">
          <span class="item-title">{it.title}</span>
          <span class="item-meta">
            {it.presenter_name && <span>{it.presenter_name}</span>}
            {cur ? <Timing it={it} /> : it.total_min > 0 && <span>{t('agenda.planned', { min: it.total_min })}</span>}
            {it.status === 'done' && <span class="done"><Icon name="check" /> {t('agenda.done')}</span>}
          </span>
        </span>
      </div>
      {docs.length > 0 && <Docs docs={docs} {...p} />}
      {it.items.length > 0 && (
        <ol class="tree">
          {it.items.map((c) => <Item key={c.id} it={c} {...p} />)}
        </ol>
      )}
    </li>
  );
}

/** "Now · 12:03 / 20:00", red past the plan; the time used counts earlier spells (spent_sec) too. */
function Timing({ it }: { it: AgendaItem }) {
  const now = useNow(!!it.became_current_at);
  const used = itemClockSec(it, now); // stands at spent_sec while the meeting is adjourned
  const planned = (it.duration_min || it.total_min) * 60;
  const over = planned > 0 && used > planned;
  return (
    <span class={`timing${over ? ' over' : ''}`} data-testid="item-timing">
      <strong>{t('agenda.now')}</strong>{' '}
      {planned > 0 ? t('agenda.usedOfPlanned', { used: clock(used), planned: clock(planned) }) : clock(used)}
    </span>
  );
}

function Docs({ docs, openDoc, liveDoc, onOpen }: Props & { docs: Doc[] }) {
  return (
    <ul class="docs">
      {docs.map((d) => (
        <li key={d.id}>
          <button class={`doc${d.id === openDoc ? ' open' : ''}`} aria-current={d.id === openDoc ? 'true' : undefined} onClick={() => {
            choose(d.id); // tapped again after a failure: the viewer tries again
            onOpen(d);
          }}>
            <Icon name="doc" />
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
  );
}

/**
 * In place of the document the reader had open when it is no longer there
 * (deleted, or made confidential for others): what happened and a way on.
 * The room also offers "back to live" when something is presented.
 */
export function DocGone({ onAgenda }: { onAgenda(): void }) {
  return (
    <div class="empty" role="status" data-testid="doc-withdrawn">
      <Icon name="doc" />
      <p>{t('doc.withdrawn')}</p>
      <button class="btn" onClick={onAgenda}>{t('doc.openAgenda')}</button>
    </div>
  );
}
