// The meeting pack: upload PDFs (drop or pick, several at once, each with
// its progress), attach them to agenda items, rename, reorder, delete, make
// confidential and choose who may read.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t } from '../i18n';
import { toast } from '../ui/Toast';
import type { Agenda, AgendaItem } from '../types';
import { desk, uploadDocument, type DeskDoc, type Participant } from './api';
import { act, Confirm, errText, useBusy } from './common';
import { fileSize, flatten, renumber, shift, uploadErrorKey } from './logic';

interface Upload {
  key: number;
  name: string;
  size: number;
  progress: number; // 0..1
  state: 'waiting' | 'sending' | 'checking' | 'done' | 'failed';
  error?: string;
  abort?: () => void;
}

const PARALLEL = 3;
let nextKey = 0;

export function Documents({ meetingId, docs, agenda, participants, readOnly, onChanged }: {
  meetingId: string;
  docs: DeskDoc[];
  agenda: Agenda;
  participants: Participant[];
  readOnly: boolean;
  onChanged(): Promise<void> | void;
}) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [attachTo, setAttachTo] = useState('');
  const [over, setOver] = useState(false);
  const queue = useRef<{ key: number; file: File; item: string }[]>([]);
  const running = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const items = flatten(agenda.items).map((r) => r.item as AgendaItem);
  const sorted = docs.slice().sort((a, b) => a.position - b.position);

  const patch = (key: number, p: Partial<Upload>) => setUploads((l) => l.map((u) => (u.key === key ? { ...u, ...p } : u)));

  const pump = () => {
    while (running.current < PARALLEL && queue.current.length) {
      const job = queue.current.shift()!;
      running.current++;
      const h = uploadDocument(meetingId, job.file, { agenda_item_id: job.item || undefined }, (f) =>
        patch(job.key, { progress: f, state: f >= 1 ? 'checking' : 'sending' }));
      patch(job.key, { state: 'sending', abort: h.abort });
      h.promise.then(
        (doc) => {
          patch(job.key, { state: 'done', progress: 1, abort: undefined });
          toast(t('desk.upload.done', { title: doc.title }));
          void onChanged();
        },
        (e: unknown) => {
          const err = e instanceof ApiError ? e : new ApiError(0, 'network', '');
          const text = err.code === 'aborted' ? t('desk.upload.cancelled') : t(uploadErrorKey(err.status, err.code, err.message, err.reason));
          patch(job.key, { state: 'failed', error: text, abort: undefined });
          if (err.code !== 'aborted') toast(t('desk.upload.refused', { name: job.file.name, why: text }), true);
        },
      ).finally(() => {
        running.current--;
        pump();
      });
    }
  };

  const addFiles = (files: FileList | File[] | null) => {
    if (!files || readOnly) return;
    const list = [...files];
    if (!list.length) return;
    const fresh = list.map((file) => ({ key: ++nextKey, file, item: attachTo }));
    setUploads((l) => [...l.filter((u) => u.state !== 'done'), ...fresh.map((j) => ({
      key: j.key, name: j.file.name, size: j.file.size, progress: 0, state: 'waiting' as const,
    }))]);
    queue.current.push(...fresh);
    pump();
  };

  // Stop what is still uploading when the desk closes.
  const live = useRef(uploads);
  live.current = uploads;
  useEffect(() => () => {
    queue.current = [];
    live.current.forEach((u) => u.abort?.());
  }, []);

  return (
    <section class="desk-section" aria-labelledby="docs-h">
      <h2 id="docs-h" class="sr">{t('desk.tab.documents')}</h2>
      {!readOnly && (
        <div class={`card dropzone${over ? ' over' : ''}`} data-testid="dropzone"
          onDragOver={(e) => {
            if (!e.dataTransfer?.types.includes('Files')) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            addFiles(e.dataTransfer?.files ?? null);
          }}>
          <p class="drop-text"><strong>{t('desk.upload.drop')}</strong></p>
          <div class="form-row center">
            <button type="button" class="btn primary big" onClick={() => input.current?.click()} data-testid="pick-files">
              {t('desk.upload.pick')}
            </button>
            <input ref={input} type="file" accept="application/pdf,.pdf" multiple class="sr" tabIndex={-1} data-testid="file-input"
              aria-label={t('desk.upload.pick')}
              onChange={(e) => {
                addFiles(e.currentTarget.files);
                e.currentTarget.value = '';
              }} />
            <label>
              {t('desk.upload.attachTo')}
              <select value={attachTo} onChange={(e) => setAttachTo(e.currentTarget.value)} data-testid="upload-item">
                <option value="">{t('desk.docs.noItem')}</option>
                {items.map((it) => <option key={it.id} value={it.id}>{`${it.number} ${it.title}`}</option>)}
              </select>
            </label>
          </div>
          <p class="muted small">{t('desk.upload.hint')}</p>
        </div>
      )}
      {uploads.length > 0 && (
        <ul class="uploads card" aria-label={t('desk.upload.list')} data-testid="uploads">
          {uploads.map((u) => (
            <li key={u.key} class={`upload ${u.state}`} data-testid="upload" data-state={u.state}>
              <span class="up-name">{u.name} <span class="muted">{fileSize(u.size)}</span></span>
              <progress max={1} value={u.state === 'failed' ? 0 : u.progress}
                aria-label={t('desk.upload.progressOf', { name: u.name })} />
              <span class="up-state" role={u.state === 'failed' ? 'alert' : undefined}>
                {u.state === 'waiting' && t('desk.upload.waiting')}
                {u.state === 'sending' && t('desk.upload.sending', { pct: Math.round(u.progress * 100) })}
                {u.state === 'checking' && t('desk.upload.checking')}
                {u.state === 'done' && t('desk.upload.ok')}
                {u.state === 'failed' && <span class="error" data-testid="upload-error">{u.error}</span>}
              </span>
              {u.abort && (
                <button type="button" class="btn" onClick={() => u.abort?.()} aria-label={t('desk.upload.cancelOf', { name: u.name })}>
                  {t('common.cancel')}
                </button>
              )}
              {(u.state === 'failed' || u.state === 'done') && (
                <button type="button" class="btn icon" onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}
                  aria-label={t('desk.upload.dismiss', { name: u.name })}>×</button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div class="card table-card">
        {sorted.length === 0 && <p class="muted pad">{t('desk.docs.none')}</p>}
        <ol class="doc-list" data-testid="doc-list">
          {sorted.map((d, i) => (
            <DocRow key={d.id} doc={d} index={i} all={sorted} items={items} participants={participants} readOnly={readOnly} onChanged={onChanged} />
          ))}
        </ol>
      </div>
    </section>
  );
}

function DocRow({ doc, index, all, items, participants, readOnly, onChanged }: {
  doc: DeskDoc;
  index: number;
  all: DeskDoc[];
  items: AgendaItem[];
  participants: Participant[];
  readOnly: boolean;
  onChanged(): Promise<void> | void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(doc.title);
  const [readersOpen, setReadersOpen] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // Shown at once; the server's answer (or a refusal) brings the truth back.
  const [conf, setConf] = useState(doc.confidential);
  useEffect(() => setConf(doc.confidential), [doc.confidential]);
  const [busy, run] = useBusy();
  const ro = readOnly || busy;

  const save = (body: Parameters<typeof desk.updateDocument>[1], ok: string) =>
    run(async () => {
      await act(() => desk.updateDocument(doc.id, body), ok);
      await onChanged();
    });

  const rename = (e: Event) => {
    e.preventDefault();
    const v = name.trim();
    if (!v || v.length > 300) return toast(t('desk.docs.badTitle'), true);
    setRenaming(false);
    if (v !== doc.title) void save({ title: v }, t('desk.docs.renamed', { title: v }));
  };

  const move = (delta: number) => run(async () => {
    const next = shift(all, index, delta);
    try {
      for (const p of renumber(next)) await desk.updateDocument(p.id, { position: p.position });
      toast(t('desk.docs.moved'));
    } catch (e) {
      toast(errText(e), true);
    }
    await onChanged();
  });

  return (
    <li class="drow" data-testid="doc-row" data-doc-id={doc.id}>
      <div class="drow-main">
        {renaming ? (
          <form class="rename" onSubmit={rename} onKeyDown={(e) => { if (e.key === 'Escape') setRenaming(false); }}>
            <input value={name} maxLength={300} aria-label={t('desk.docs.newTitle')} autoFocus onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit" class="btn primary">{t('common.save')}</button>
            <button type="button" class="btn" onClick={() => { setName(doc.title); setRenaming(false); }}>{t('common.cancel')}</button>
          </form>
        ) : (
          <span class="doc-title" data-testid="doc-title">{doc.title}</span>
        )}
        <span class="doc-meta">
          <span>{t('desk.docs.pages', { n: doc.pages })}</span>
          <span>{fileSize(doc.size)}</span>
          {doc.version > 1 && <span>{t('desk.docs.version', { n: doc.version })}</span>}
          {doc.confidential && <span class="badge warn">{t('desk.docs.confidential')}</span>}
        </span>
      </div>
      <div class="drow-controls">
        <label class="compact">
          <span class="sr">{t('desk.docs.itemOf', { title: doc.title })}</span>
          <select value={doc.agenda_item_id ?? ''} disabled={ro} data-testid="doc-item"
            aria-label={t('desk.docs.itemOf', { title: doc.title })}
            onChange={(e) => {
              const v = e.currentTarget.value;
              const it = items.find((x) => x.id === v);
              void save({ agenda_item_id: v }, it ? t('desk.docs.attached', { item: `${it.number} ${it.title}` }) : t('desk.docs.detached'));
            }}>
            <option value="">{t('desk.docs.noItem')}</option>
            {items.map((it) => <option key={it.id} value={it.id}>{`${it.number} ${it.title}`}</option>)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={conf} disabled={ro} data-testid="doc-confidential"
            onChange={(e) => {
              const c = e.currentTarget.checked;
              setConf(c);
              setReadersOpen(c);
              void run(async () => {
                const ok = await act(() => desk.updateDocument(doc.id, { confidential: c }), c ? t('desk.docs.madeConfidential') : t('desk.docs.madeOpen'));
                if (!ok) {
                  setConf(doc.confidential);
                  setReadersOpen(false);
                }
                await onChanged();
              });
            }} />
          {t('desk.docs.confidential')}
        </label>
        {conf && (
          <button type="button" class="btn" disabled={readOnly} aria-expanded={readersOpen} data-testid="doc-readers"
            onClick={() => setReadersOpen(!readersOpen)}>{t('desk.docs.readers')}</button>
        )}
        {!readOnly && (
          <span class="row-actions">
            <button type="button" class="btn icon" disabled={ro || index === 0} onClick={() => void move(-1)}
              aria-label={t('desk.docs.up', { title: doc.title })}>↑</button>
            <button type="button" class="btn icon" disabled={ro || index === all.length - 1} onClick={() => void move(1)}
              aria-label={t('desk.docs.down', { title: doc.title })}>↓</button>
            <button type="button" class="btn" disabled={ro} onClick={() => { setName(doc.title); setRenaming(true); }}
              aria-label={t('desk.docs.renameOf', { title: doc.title })} data-testid="doc-rename">{t('desk.docs.rename')}</button>
            <button type="button" class="btn danger" disabled={ro} onClick={() => setDeleting(true)}
              aria-label={t('desk.docs.deleteOf', { title: doc.title })}>{t('common.delete')}</button>
          </span>
        )}
      </div>
      {readersOpen && conf && (
        <Readers doc={doc} participants={participants} readOnly={readOnly} onClose={() => setReadersOpen(false)} onChanged={onChanged} />
      )}
      {deleting && (
        <Confirm title={t('desk.docs.deleteTitle', { title: doc.title })} confirmLabel={t('common.delete')} danger
          onCancel={() => setDeleting(false)}
          onConfirm={() => {
            setDeleting(false);
            void run(async () => {
              await act(() => desk.deleteDocument(doc.id), t('desk.docs.deleted', { title: doc.title }));
              await onChanged();
            });
          }}>
          <p>{t('desk.docs.deleteText')}</p>
        </Confirm>
      )}
    </li>
  );
}

/** Who may read a confidential document besides the chair and the secretaries (who always may). */
function Readers({ doc, participants, readOnly, onClose, onChanged }: {
  doc: DeskDoc;
  participants: Participant[];
  readOnly: boolean;
  onClose(): void;
  onChanged(): Promise<void> | void;
}) {
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, run] = useBusy();
  useEffect(() => {
    desk.document(doc.id).then((d) => setChosen(new Set(d.readers ?? [])), (e) => {
      setFailed(true);
      toast(errText(e), true);
    });
  }, [doc.id]);
  const always = participants.filter((p) => p.role === 'chair' || p.role === 'secretary');
  const others = participants.filter((p) => p.role !== 'chair' && p.role !== 'secretary');
  const toggle = (id: string, on: boolean) => {
    const s = new Set(chosen);
    if (on) s.add(id);
    else s.delete(id);
    setChosen(s);
  };
  const save = () => run(async () => {
    const ok = await act(() => desk.setAccess(doc.id, [...(chosen ?? [])]), t('desk.docs.readersSaved', { n: chosen?.size ?? 0 }));
    if (ok) {
      onClose();
      await onChanged();
    }
  });
  return (
    <fieldset class="readers" data-testid="readers" disabled={readOnly || busy}>
      <legend>{t('desk.docs.readersTitle', { title: doc.title })}</legend>
      <p class="muted small">{t('desk.docs.readersAlways', { names: always.map((p) => p.full_name).join(', ') || '—' })}</p>
      {failed && <p class="error">{t('desk.docs.readersFailed')}</p>}
      {chosen === null && !failed && <p class="muted">{t('common.loading')}</p>}
      {chosen && (
        <>
          {others.length === 0 && <p class="muted">{t('desk.docs.readersNone')}</p>}
          <div class="reader-grid">
            {others.map((p) => (
              <label key={p.user_id} class="check">
                <input type="checkbox" checked={chosen.has(p.user_id)} data-user={p.username}
                  onChange={(e) => toggle(p.user_id, e.currentTarget.checked)} />
                {p.full_name}
              </label>
            ))}
          </div>
          <div class="row end">
            <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
            <button type="button" class="btn primary" onClick={() => void save()} data-testid="readers-save">{t('desk.docs.readersSave')}</button>
          </div>
        </>
      )}
    </fieldset>
  );
}
