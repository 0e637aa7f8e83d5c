// The agenda editor: add items and sub-items, edit, delete, and reorder by
// drag and drop (mouse: HTML5 drag and drop; touch and pen: pointer events
// on the handle) or with the up and down buttons (keyboard); and write each
// item's conclusion ("Kết luận"), which the minutes show under the item.
import { useEffect, useRef, useState } from 'preact/hooks';
import { cleanConclusion, conclusionLength, MAX_CONCLUSION, setConclusion } from '../conclusion';
import { num, t, type Key } from '../i18n';
import { toast } from '../ui/Toast';
import type { Agenda, AgendaItem } from '../types';
import { desk, type Participant } from './api';
import { act, Confirm, errText, FieldError, fieldAria, nthOrLast, useBusy, useFocusLater } from './common';
import { dropZone, flatten, MAX_DEPTH, moveRelative, moveSibling, orderIds, titleProblem, type Where } from './logic';

interface Drag {
  id: string;
  target: string | null;
  where: Where;
}

export function AgendaEditor({ meetingId, agenda, participants, readOnly, onAgenda, onChanged }: {
  meetingId: string;
  agenda: Agenda;
  participants: Participant[];
  readOnly: boolean;
  onAgenda(a: Agenda): void;
  onChanged(): Promise<void> | void;
}) {
  const rows = flatten(agenda.items);
  const [editing, setEditing] = useState<string | null>(null);
  const [concluding, setConcluding] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<AgendaItem | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const [busy, run] = useBusy();
  const presenters = participants.filter((p) => p.role !== 'observer');
  // Where the focus goes when the control that had it goes away (a deleted row, a closed editor).
  const list = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusLater = useFocusLater();
  const rowOf = (id: string) => [...(list.current?.querySelectorAll?.<HTMLElement>('li[data-item-id]') ?? [])].find((li) => li.dataset.itemId === id);
  /** Back to the row's own button once its editor has closed. */
  const focusRow = (id: string, action: 'edit' | 'conclusion') =>
    focusLater(() => rowOf(id)?.querySelector<HTMLElement>(`[data-action=${action}]`), () => heading.current);

  const setDragBoth = (d: Drag | null) => {
    dragRef.current = d;
    setDrag(d);
  };

  /** Puts the agenda in the order of `items` (after moving `id` under `parentId` when reparenting). */
  const applyOrder = (items: AgendaItem[], id: string, reparent: { parentId: string | null } | null) => {
    const before = agenda;
    onAgenda({ ...agenda, items }); // at once; the server's answer replaces it
    void run(async () => {
      try {
        if (reparent) await desk.updateItem(id, { parent_id: reparent.parentId });
        const a = await desk.order(meetingId, orderIds(items));
        onAgenda(a);
        toast(t('desk.agenda.moved'));
      } catch (e) {
        onAgenda(before);
        toast(errText(e), true);
        await onChanged();
      }
    });
  };

  const moveBy = (id: string, delta: -1 | 1) => {
    const items = moveSibling(agenda.items, id, delta);
    if (items) applyOrder(items, id, null);
  };

  const drop = (d: Drag | null) => {
    setDragBoth(null);
    if (!d || !d.target || d.target === d.id) return;
    const mv = moveRelative(agenda.items, d.id, d.target, d.where);
    if (!mv) {
      toast(t('desk.agenda.cantMove'), true);
      return;
    }
    applyOrder(mv.items, d.id, mv.reparent ? { parentId: mv.parentId } : null);
  };

  const zoneFor = (el: HTMLElement, clientY: number, depth: number): Where => {
    const r = el.getBoundingClientRect();
    return dropZone(clientY, r.top, r.height, depth < MAX_DEPTH - 1);
  };

  // Touch and pen: the handle captures the pointer and the row under it is the target.
  const onHandleDown = (e: PointerEvent, id: string) => {
    if (readOnly || e.pointerType === 'mouse') return; // the mouse uses HTML5 drag and drop
    e.preventDefault();
    try {
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    } catch {
      /* the pointer is already gone */
    }
    setDragBoth({ id, target: null, where: 'before' });
  };
  const onHandleMove = (e: PointerEvent) => {
    const d = dragRef.current;
    if (!d || e.pointerType === 'mouse') return;
    const el = document.elementFromPoint(e.clientX, e.clientY)?.closest<HTMLElement>('[data-item-id]');
    if (!el) return;
    const target = el.dataset.itemId!;
    const depth = Number(el.dataset.depth ?? 0);
    setDragBoth({ ...d, target, where: zoneFor(el, e.clientY, depth) });
  };
  const onHandleUp = (e: PointerEvent) => {
    if (e.pointerType === 'mouse') return;
    drop(dragRef.current);
  };

  return (
    <section class="desk-section" aria-labelledby="agenda-h">
      <h2 id="agenda-h" class="sr" tabIndex={-1} ref={heading}>{t('desk.tab.agenda')}</h2>
      {!readOnly && <AddItem meetingId={meetingId} agenda={agenda} presenters={presenters} onAdded={onChanged} />}
      <div class="card agenda-card">
        <div class="agenda-head">
          <strong>{t('desk.agenda.items', { n: rows.length })}</strong>
          <span class="muted">{t('desk.agenda.planned', { min: agenda.planned_min })}</span>
          {!readOnly && rows.length > 1 && <span class="muted small">{t('desk.agenda.dragHint')}</span>}
        </div>
        {rows.length === 0 && <p class="muted pad">{t('desk.agenda.none')}</p>}
        <ol class="agenda-edit" data-testid="agenda-list" aria-busy={busy} ref={list}>
          {rows.map((r) => {
            const it = r.item as AgendaItem;
            const isTarget = drag && drag.target === it.id && drag.id !== it.id;
            const cls = ['arow', `depth-${r.depth}`, drag?.id === it.id ? 'dragging' : '', isTarget ? `drop-${drag!.where}` : '', it.status !== 'pending' ? `st-${it.status}` : ''].join(' ');
            if (editing === it.id) {
              return (
                <li key={it.id} class={cls} style={`--depth:${r.depth}`} data-item-id={it.id} data-depth={r.depth}>
                  <EditItem item={it} agenda={agenda} presenters={presenters} onDone={async (changed) => {
                    setEditing(null);
                    focusRow(it.id, 'edit');
                    if (changed) await onChanged();
                  }} />
                </li>
              );
            }
            if (concluding === it.id && !readOnly) {
              return (
                <li key={it.id} class={cls} style={`--depth:${r.depth}`} data-item-id={it.id} data-depth={r.depth}>
                  <ConclusionEditor item={it} onSaved={() => void onChanged()} onDone={async (changed) => {
                    setConcluding(null);
                    focusRow(it.id, 'conclusion');
                    if (changed) await onChanged();
                  }} />
                </li>
              );
            }
            return (
              <li key={it.id} class={cls} style={`--depth:${r.depth}`} data-item-id={it.id} data-depth={r.depth}
                data-testid="agenda-row" draggable={!readOnly && !busy}
                onDragStart={(e) => {
                  e.dataTransfer?.setData('text/plain', it.id);
                  if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                  setDragBoth({ id: it.id, target: null, where: 'before' });
                }}
                onDragOver={(e) => {
                  const d = dragRef.current;
                  if (!d) return;
                  e.preventDefault();
                  if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
                  const where = zoneFor(e.currentTarget as HTMLElement, e.clientY, r.depth);
                  if (d.target !== it.id || d.where !== where) setDragBoth({ ...d, target: it.id, where });
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  drop(dragRef.current);
                }}
                onDragEnd={() => setDragBoth(null)}>
                {!readOnly && <span class="handle" aria-hidden="true" title={t('desk.agenda.drag')}
                  onPointerDown={(e) => onHandleDown(e, it.id)} onPointerMove={onHandleMove} onPointerUp={onHandleUp}
                  onPointerCancel={() => setDragBoth(null)}>⋮⋮</span>}
                <span class="num">{it.number}</span>
                <span class="item-main">
                  <span class="item-title" data-testid="agenda-title">{it.title}</span>
                  <span class="item-meta">
                    {it.duration_min > 0 && <span>{t('desk.agenda.minutes', { min: it.duration_min })}</span>}
                    {it.items.length > 0 && it.total_min !== it.duration_min && <span>{t('desk.agenda.total', { min: it.total_min })}</span>}
                    {it.presenter_name && <span>{t('desk.agenda.presenter', { name: it.presenter_name })}</span>}
                    {it.status === 'current' && <span class="badge live">{t('desk.agenda.current')}</span>}
                    {it.status === 'done' && <span class="badge">{t('desk.agenda.done')}</span>}
                  </span>
                  {it.conclusion && (
                    <span class="item-conclusion" data-testid="agenda-conclusion">
                      <strong>{t('desk.agenda.conclusion')}:</strong> {it.conclusion}
                    </span>
                  )}
                </span>
                {!readOnly && (
                  <span class="row-actions">
                    <button type="button" class="btn icon" disabled={busy || r.index === 0} onClick={() => moveBy(it.id, -1)}
                      aria-label={t('desk.agenda.up', { title: it.title })} data-testid="item-up">↑</button>
                    <button type="button" class="btn icon" disabled={busy || r.index === r.siblings - 1} onClick={() => moveBy(it.id, 1)}
                      aria-label={t('desk.agenda.down', { title: it.title })} data-testid="item-down">↓</button>
                    <button type="button" class="btn" disabled={busy} onClick={() => setEditing(it.id)} data-action="edit"
                      aria-label={t('desk.agenda.editOf', { title: it.title })}>{t('desk.edit')}</button>
                    <button type="button" class="btn" disabled={busy} onClick={() => setConcluding(it.id)} data-action="conclusion"
                      aria-label={t('desk.agenda.conclusionOf', { title: it.title })} data-testid="item-conclusion">{t('desk.agenda.conclusion')}</button>
                    <button type="button" class="btn danger" disabled={busy || it.status !== 'pending'} onClick={() => setDeleting(it)} data-action="delete"
                      aria-label={t('desk.agenda.deleteOf', { title: it.title })}>{t('common.delete')}</button>
                  </span>
                )}
              </li>
            );
          })}
        </ol>
      </div>
      {deleting && (
        <Confirm title={t('desk.agenda.deleteTitle', { title: deleting.title })} confirmLabel={t('common.delete')} danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const it = deleting;
            const at = rows.findIndex((r) => r.item.id === it.id);
            setDeleting(null);
            void run(async () => {
              await act(() => desk.deleteItem(it.id), t('desk.agenda.deleted', { title: it.title }));
              // The row now in its place (the item itself, if it stays), else the last, else the list's heading.
              focusLater(() => {
                const li = nthOrLast(list.current, 'li[data-item-id]', Math.max(0, at));
                return li?.querySelector<HTMLElement>('[data-action=delete]:not([disabled])') ?? li?.querySelector<HTMLElement>('[data-action=edit]');
              }, () => heading.current);
              await onChanged();
            });
          }}>
          <p>{deleting.items.length > 0 ? t('desk.agenda.deleteWithSubs', { n: deleting.items.length }) : t('desk.agenda.deleteText')}</p>
        </Confirm>
      )}
    </section>
  );
}

/** The items an item may be put under: not itself or its subtree, and not too deep. */
function parentChoices(agenda: Agenda, item: AgendaItem | null) {
  const subtreeDepth = item ? heightOf(item) : 1;
  const inside = new Set<string>();
  if (item) flatten([item]).forEach((r) => inside.add(r.item.id));
  return flatten(agenda.items).filter((r) => !inside.has(r.item.id) && r.depth + 1 + subtreeDepth <= MAX_DEPTH);
}

function heightOf(n: AgendaItem): number {
  return 1 + n.items.reduce((m, c) => Math.max(m, heightOf(c)), 0);
}

function ItemFields({ agenda, item, presenters, v, set, errors }: {
  agenda: Agenda;
  item: AgendaItem | null;
  presenters: Participant[];
  v: ItemForm;
  set(f: Partial<ItemForm>): void;
  errors: Record<string, string | null>;
}) {
  const pid = item ? `-${item.id}` : '';
  return (
    <div class="form-row">
      <label class="grow wide">
        <span>{t('desk.agenda.itemTitle')} <span class="req" aria-hidden="true">*</span></span>
        <input name="item_title" value={v.title} maxLength={300} {...fieldAria(`err-ititle${pid}`, errors.title)}
          onInput={(e) => set({ title: e.currentTarget.value })} />
        <FieldError id={`err-ititle${pid}`} text={errors.title ?? null} />
      </label>
      <label>
        {t('desk.agenda.parent')}
        <select name="parent" value={v.parent} onChange={(e) => set({ parent: e.currentTarget.value })}>
          <option value="">{t('desk.agenda.topLevel')}</option>
          {parentChoices(agenda, item).map((r) => (
            <option key={r.item.id} value={r.item.id}>{`${r.item.number} ${(r.item as AgendaItem).title}`}</option>
          ))}
        </select>
      </label>
      <label class="narrow">
        {t('desk.agenda.duration')}
        <input type="number" name="duration" min={0} max={1440} value={v.duration}
          {...fieldAria(`err-idur${pid}`, errors.duration)} onInput={(e) => set({ duration: e.currentTarget.value })} />
        <FieldError id={`err-idur${pid}`} text={errors.duration ?? null} />
      </label>
      <label>
        {t('desk.agenda.presenterLabel')}
        <select name="presenter" value={v.presenter} onChange={(e) => set({ presenter: e.currentTarget.value })}>
          <option value="">{t('desk.agenda.noPresenter')}</option>
          {presenters.map((p) => <option key={p.user_id} value={p.user_id}>{p.full_name}</option>)}
        </select>
      </label>
    </div>
  );
}

interface ItemForm {
  title: string;
  parent: string;
  duration: string;
  presenter: string;
}

function check(v: ItemForm): Record<string, string | null> {
  const e: Record<string, string | null> = {};
  const tp = titleProblem(v.title);
  if (tp) e.title = t(tp);
  const d = v.duration.trim() === '' ? 0 : Number(v.duration);
  if (!Number.isInteger(d) || d < 0 || d > 1440) e.duration = t('desk.err.duration');
  return e;
}

function AddItem({ meetingId, agenda, presenters, onAdded }: {
  meetingId: string;
  agenda: Agenda;
  presenters: Participant[];
  onAdded(): Promise<void> | void;
}) {
  const empty: ItemForm = { title: '', parent: '', duration: '', presenter: '' };
  const [v, setV] = useState<ItemForm>(empty);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, run] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    const errs = check(v);
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) return;
    // The fields stay open while the item goes up: the next one may be typed meanwhile.
    const sent = v;
    void run(async () => {
      const ok = await act(() => desk.addItem(meetingId, {
        title: sent.title.trim(), parent_id: sent.parent || null, duration_min: Number(sent.duration || 0), presenter_id: sent.presenter || null,
      }), t('desk.agenda.added', { title: sent.title.trim() }));
      if (ok) {
        // Clears what was sent; a field changed since keeps what was typed. The parent stays, for the next sub-item.
        setV((cur) => ({
          title: cur.title === sent.title ? '' : cur.title,
          duration: cur.duration === sent.duration ? '' : cur.duration,
          presenter: cur.presenter === sent.presenter ? '' : cur.presenter,
          parent: cur.parent,
        }));
        await onAdded();
      }
    });
  };
  return (
    <form class="card desk-form add-form" onSubmit={submit} noValidate data-testid="add-item">
      <h3>{t('desk.agenda.addTitle')}</h3>
      <ItemFields agenda={agenda} item={null} presenters={presenters} v={v} set={(f) => { setV((cur) => ({ ...cur, ...f })); setErrors({}); }} errors={errors} />
      <div class="row end">
        <button type="submit" class="btn primary" disabled={busy} data-testid="add-item-submit">{t('desk.agenda.add')}</button>
      </div>
    </form>
  );
}

const formOf = (item: AgendaItem): ItemForm => ({
  title: item.title, parent: item.parent_id ?? '', duration: String(item.duration_min || ''), presenter: item.presenter_id ?? '',
});

const ITEM_FIELDS: (keyof ItemForm)[] = ['title', 'parent', 'duration', 'presenter'];

/** The label a field of the item editor goes by, to name it when someone else changed it meanwhile. */
const ITEM_LABEL: Record<keyof ItemForm, Key> = {
  title: 'desk.agenda.itemTitle', parent: 'desk.agenda.parent', duration: 'desk.agenda.duration', presenter: 'desk.agenda.presenterLabel',
};

/** Whether a field of the item form says the same as the baseline (a title's spaces and an empty duration aside). */
function sameField(k: keyof ItemForm, a: ItemForm, b: ItemForm): boolean {
  if (k === 'title') return a.title.trim() === b.title.trim();
  if (k === 'duration') return Number(a.duration || 0) === Number(b.duration || 0);
  return a[k] === b[k];
}

/** The form once the item it started from (old) has become next: what was not touched follows it. */
function rebaseItem(form: ItemForm, old: ItemForm, next: ItemForm): ItemForm {
  const out = { ...form };
  for (const k of ITEM_FIELDS) if (sameField(k, form, old)) out[k] = next[k];
  return out;
}

/**
 * Editing an item. The form starts from the item as it was when Edit was
 * pressed, and Save sends only the fields the user changed since, so it
 * never undoes what someone else (the chair in the cockpit, another desk)
 * changed on the item meanwhile. The fields the user has not touched follow
 * the item as it changes; a field both changed is named in a note, and
 * saving sends the user's.
 */
function EditItem({ item, agenda, presenters, onDone }: {
  item: AgendaItem;
  agenda: Agenda;
  presenters: Participant[];
  onDone(changed: boolean): void;
}) {
  const [v, setV] = useState<ItemForm>(() => formOf(item));
  // The item as last seen: what the form is compared with.
  const base = useRef<ItemForm>(formOf(item));
  const [clashes, setClashes] = useState<(keyof ItemForm)[]>([]);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, run] = useBusy();

  const shown = useRef(v);
  shown.current = v;
  const next = formOf(item);
  const nextKey = JSON.stringify(next);
  // The item changed (agenda.changed, from the cockpit or another desk): the
  // fields the user has not touched take its new values; a field both
  // changed keeps the user's, and is named.
  useEffect(() => {
    const old = base.current;
    base.current = next;
    const clashed = ITEM_FIELDS.filter((k) => !sameField(k, shown.current, old) && !sameField(k, next, old) && !sameField(k, next, shown.current));
    if (clashed.length) setClashes((c) => [...new Set([...c, ...clashed])]);
    setV((cur) => rebaseItem(cur, old, next));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [nextKey]);

  const submit = (e: Event) => {
    e.preventDefault();
    const errs = check(v);
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) return;
    const b = base.current;
    const body: Record<string, unknown> = {};
    if (!sameField('title', v, b)) body.title = v.title.trim();
    if (!sameField('duration', v, b)) body.duration_min = Number(v.duration || 0);
    if (!sameField('presenter', v, b)) body.presenter_id = v.presenter || null;
    if (!sameField('parent', v, b)) body.parent_id = v.parent || null;
    if (Object.keys(body).length === 0) return onDone(false);
    void run(async () => {
      const ok = await act(() => desk.updateItem(item.id, body), t('desk.agenda.saved', { title: v.title.trim() }));
      if (ok) onDone(true);
    });
  };
  return (
    <form class="desk-form edit-item" onSubmit={submit} noValidate data-testid="edit-item"
      onKeyDown={(e) => { if (e.key === 'Escape') onDone(false); }}>
      <ItemFields agenda={agenda} item={item} presenters={presenters} v={v} set={(f) => { setV((cur) => ({ ...cur, ...f })); setErrors({}); }} errors={errors} />
      {clashes.length > 0 && (
        <p class="banner" role="status" data-testid="item-clash">
          {t('desk.details.changedMeanwhile', { fields: clashes.map((k) => t(ITEM_LABEL[k])).join(', ') })}
        </p>
      )}
      <div class="row end">
        <button type="button" class="btn" onClick={() => onDone(false)}>{t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled={busy}>{t('common.save')}</button>
      </div>
    </form>
  );
}

/**
 * An item's conclusion, on its own: Save sends the conclusion and nothing
 * else of the item (PATCH with `conclusion` only), so it never undoes a
 * change someone else made to the item meanwhile. Empty clears it. The box
 * stays open while the save is on its way: when more was typed meanwhile,
 * the editor stays open with it (not saved yet) instead of closing.
 */
function ConclusionEditor({ item, onDone, onSaved }: { item: AgendaItem; onDone(changed: boolean): void; onSaved(): void }) {
  const [text, setText] = useState(item.conclusion ?? '');
  // The server's text: the item's, or what this editor last saved (the agenda is read again after).
  const [saved, setSaved] = useState(item.conclusion ?? '');
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, run] = useBusy();
  const latest = useRef(text);
  latest.current = text;
  const n = conclusionLength(text);
  const submit = (e: Event) => {
    e.preventDefault();
    if (n > MAX_CONCLUSION) {
      setError(t('desk.err.conclusionLong', { n: num(MAX_CONCLUSION) }));
      return;
    }
    if (cleanConclusion(text) === cleanConclusion(saved)) {
      toast(t('desk.agenda.conclusionUnchanged'));
      return onDone(false);
    }
    const sent = text;
    void run(async () => {
      const ok = await act(() => setConclusion(item.id, sent), t('desk.agenda.conclusionSaved', { title: item.title }));
      if (!ok) return;
      if (cleanConclusion(latest.current) === cleanConclusion(sent)) return onDone(true);
      // Typed on while it was saving: keep that open, and let the agenda show what was saved.
      setSaved(cleanConclusion(sent));
      setMore(true);
      onSaved();
    });
  };
  const errId = `err-concl-${item.id}`;
  return (
    <form class="desk-form edit-item conclusion-form" onSubmit={submit} noValidate data-testid="edit-conclusion"
      onKeyDown={(e) => { if (e.key === 'Escape') onDone(false); }}>
      <label class="grow">
        <span>{t('desk.agenda.conclusionFor', { number: item.number, title: item.title })}</span>
        <textarea name="conclusion" rows={5} value={text} data-testid="conclusion-text" {...fieldAria(errId, error)}
          onInput={(e) => { setText(e.currentTarget.value); setError(null); }} />
        <FieldError id={errId} text={error} />
      </label>
      {more && cleanConclusion(text) !== cleanConclusion(saved) && (
        <p class="hint-line" role="status" data-testid="conclusion-more">{t('desk.agenda.conclusionMore')}</p>
      )}
      <div class="row">
        <span class="muted small grow">{t('desk.agenda.conclusionHint')}</span>
        <span class={`small${n > MAX_CONCLUSION ? ' field-error' : ' muted'}`} data-testid="conclusion-count">
          {t('desk.agenda.conclusionCount', { n: num(n), max: num(MAX_CONCLUSION) })}
        </span>
      </div>
      <div class="row end">
        <button type="button" class="btn" onClick={() => onDone(false)}>{t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled={busy} data-testid="conclusion-save">{t('common.save')}</button>
      </div>
    </form>
  );
}
