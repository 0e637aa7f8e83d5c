// The meeting pack: upload PDFs (drop or pick, several at once, each with
// its progress; confidential from the start, with its readers, when so
// chosen), attach them to agenda items, rename, reorder, delete, make
// confidential and choose who may read, upload a new version and open the
// earlier ones.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, fileURL } from '../api';
import { dateTime, t } from '../i18n';
import { toast } from '../ui/Toast';
import type { Agenda, AgendaItem } from '../types';
import { desk, uploadDocument, uploadVersion, type DeskDoc, type OnProgress, type Participant, type UploadHandle } from './api';
import { act, Confirm, errText, nthOrLast, useBusy, useFocusLater } from './common';
import {
  chosenReaders, earlierVersions, fileSha256, fileSize, flatten, looksLikePdf, mayBeStored, renumber, sameFile, shift, titleProblem, toggled,
  uploadFailure, type StoredFile, type UploadChoice,
} from './logic';
import { ReaderChoice } from './ReaderChoice';

interface Upload {
  key: number;
  name: string;
  size: number;
  progress: number; // 0..1
  /** looking: before a retry, whether an earlier attempt was stored after all is being looked up. */
  state: 'waiting' | 'sending' | 'checking' | 'looking' | 'done' | 'failed';
  confidential?: boolean;
  error?: string;
  abort?: () => void;
  /** The file and what was chosen with it, kept until it is stored: a retry sends them again. */
  job?: { file: File; choice: UploadChoice; before?: ReadonlySet<string> };
  /** It failed in a way that sending it again may mend (network, server failure or busy, cancelled). */
  again?: boolean;
  /** It failed where the server may have stored it all the same (logic.ts mayBeStored): a retry first looks for it. */
  unsure?: boolean;
  /** What a done line says instead of "uploaded" (it was found stored by an earlier attempt). */
  note?: string;
}

/** A document upload's file and choice, and the meeting's documents before it was first sent (a retry looks for it among the others). */
interface Job {
  file: File;
  choice: UploadChoice;
  before: ReadonlySet<string>;
}

/**
 * Runs one upload, keeping its line up to date through set: progress,
 * checking, done, or failed with the reason in the person's language (and a
 * toast, unless they cancelled it) and whether a retry may help. done is
 * called with the stored document.
 */
function follow(name: string, start: (p: OnProgress) => UploadHandle, set: (p: Partial<Upload>) => void,
  done: (doc: DeskDoc) => void): Promise<void> {
  let sentAll = false; // the whole file went up: the server was checking it
  const h = start((f) => {
    if (f >= 1) sentAll = true;
    set({ progress: f, state: f >= 1 ? 'checking' : 'sending' });
  });
  set({ state: 'sending', abort: h.abort, unsure: false });
  return h.promise.then(
    (doc) => {
      set({ state: 'done', progress: 1, abort: undefined });
      done(doc);
    },
    (e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError(0, 'network', '');
      const why = uploadFailure(err.status, err.code, err.message, err.reason);
      const text = t(why.key);
      set({ state: 'failed', error: text, abort: undefined, again: why.retry, unsure: why.retry && mayBeStored(err.status, err.code, sentAll) });
      if (err.code !== 'aborted') toast(t('desk.upload.refused', { name, why: text }), true);
    },
  );
}

/**
 * Before sending again a file that may have been stored (Upload.unsure):
 * looks among what is stored now (list) for the same file (logic.ts
 * sameFile: the same SHA-256) that was not there before the first attempt
 * (isNew). The stored one, or null (then it is sent again). Rejects when
 * the list cannot be read: then nothing is sent, as whether it was stored
 * is still not known.
 */
async function findStored<T extends StoredFile>(file: File, list: () => Promise<T[]>, isNew: (x: T) => boolean): Promise<T | null> {
  const [stored, sum] = await Promise.all([list(), fileSha256(file)]);
  return stored.find((x) => isNew(x) && sameFile(x, file, sum)) ?? null;
}

/** A line whose look-up failed: failed again, with the reason, and a retry when looking again may work. */
function lookupFailed(e: unknown): Partial<Upload> {
  const err = e instanceof ApiError ? e : new ApiError(0, 'network', '');
  const why = uploadFailure(err.status, err.code, err.message, err.reason);
  return { state: 'failed', error: t(why.key), again: why.retry, unsure: true };
}

/** "1 page" or "{n} pages". */
const pages = (n: number) => (n === 1 ? t('desk.docs.onePage') : t('desk.docs.pages', { n }));

/** A failed line's file is not a PDF by its name and type: never sent (the server would refuse it, after the whole file went up). */
const notPdf = (key: number, file: File): Upload =>
  ({ key, name: file.name, size: file.size, progress: 0, state: 'failed', error: t('desk.upload.errNotPdf') });

/**
 * One upload's line: name, progress, state or error, cancel (while waiting
 * or going up), retry (a failure that sending again may mend) and dismiss.
 */
function UploadStatus({ u, onCancel, onDismiss, onRetry }: { u: Upload; onCancel(): void; onDismiss(): void; onRetry?: () => void }) {
  return (
    <>
      <span class="up-name">
        {u.name} <span class="muted">{fileSize(u.size)}</span>
        {u.confidential && <> <span class="badge warn">{t('desk.docs.confidential')}</span></>}
      </span>
      <progress max={1} value={u.state === 'failed' ? 0 : u.progress}
        aria-label={t('desk.upload.progressOf', { name: u.name })} />
      <span class="up-state" role={u.state === 'failed' ? 'alert' : undefined}>
        {u.state === 'waiting' && t('desk.upload.waiting')}
        {u.state === 'sending' && t('desk.upload.sending', { pct: Math.round(u.progress * 100) })}
        {u.state === 'checking' && t('desk.upload.checking')}
        {u.state === 'looking' && t('desk.upload.looking')}
        {u.state === 'done' && (u.note ?? t('desk.upload.ok'))}
        {u.state === 'failed' && <span class="error" data-testid="upload-error">{u.error}</span>}
      </span>
      {(u.abort || u.state === 'waiting') && (
        <button type="button" class="btn" onClick={onCancel} aria-label={t('desk.upload.cancelOf', { name: u.name })}
          data-testid="upload-cancel">
          {t('common.cancel')}
        </button>
      )}
      {u.state === 'failed' && u.again && u.job && onRetry && (
        <button type="button" class="btn" onClick={onRetry} aria-label={t('desk.upload.retryOf', { name: u.name })}
          data-testid="upload-retry">
          {t('desk.upload.retry')}
        </button>
      )}
      {(u.state === 'failed' || u.state === 'done') && (
        <button type="button" class="btn icon" onClick={onDismiss} data-testid="upload-dismiss"
          aria-label={t('desk.upload.dismiss', { name: u.name })}>×</button>
      )}
    </>
  );
}

const PARALLEL = 3;
let nextKey = 0;

export function Documents({ meetingId, docs, agenda, participants, readOnly, confides, onChanged }: {
  meetingId: string;
  docs: DeskDoc[];
  agenda: Agenda;
  participants: Participant[];
  readOnly: boolean;
  /** The caller chairs or is secretary: an administrator who takes no part may not see, so not make, confidential documents. */
  confides: boolean;
  onChanged(): Promise<void> | void;
}) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [attachTo, setAttachTo] = useState('');
  const [confidential, setConfidential] = useState(false);
  const [readers, setReaders] = useState<ReadonlySet<string>>(new Set());
  const [over, setOver] = useState(false);
  const queue = useRef<({ key: number } & Job)[]>([]);
  const running = useRef(0);
  // The lines queued or going up: a retry pressed twice sends once.
  const busyKeys = useRef(new Set<number>());
  // The desk has closed: a look-up that answers afterwards sends nothing.
  const closed = useRef(false);
  const input = useRef<HTMLInputElement>(null);
  const lines = useRef<HTMLUListElement>(null);
  // Where the focus goes once a deleted document's row is gone: the row now in its place, else the list's heading.
  const list = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusLater = useFocusLater();
  // The documents as last shown: what was there before an upload (a retry looks for it among the others).
  const shown = useRef(docs);
  shown.current = docs;
  const items = flatten(agenda.items).map((r) => r.item as AgendaItem);
  const sorted = docs.slice().sort((a, b) => a.position - b.position);

  const patch = (key: number, p: Partial<Upload>) => setUploads((l) => l.map((u) => (u.key === key ? { ...u, ...p } : u)));

  // No longer chair or secretary (the role changed): the confidential
  // choice goes away with its checkbox, so no file is chosen confidential
  // unseen (what is already queued keeps its choice; the server judges).
  useEffect(() => {
    if (confides) return;
    setConfidential(false);
    setReaders(new Set());
  }, [confides]);

  /** Cancels an upload: a started one is aborted; a waiting one leaves the queue and is never sent. */
  const cancel = (u: Upload) => {
    if (u.abort) return u.abort();
    if (!queue.current.some((j) => j.key === u.key)) return;
    queue.current = queue.current.filter((j) => j.key !== u.key);
    busyKeys.current.delete(u.key);
    patch(u.key, { state: 'failed', error: t('desk.upload.cancelled'), again: true, unsure: false });
  };

  const pump = () => {
    while (running.current < PARALLEL && queue.current.length) {
      const job = queue.current.shift()!;
      running.current++;
      void follow(job.file.name, (p) => uploadDocument(meetingId, job.file, job.choice, p), (p) => patch(job.key, p), (doc) => {
        patch(job.key, { job: undefined }); // stored: nothing left to send again
        toast(t('desk.upload.done', { title: doc.title }));
        void onChanged();
      }).finally(() => {
        running.current--;
        busyKeys.current.delete(job.key);
        pump();
      });
    }
  };

  const enqueue = (jobs: ({ key: number } & Job)[]) => {
    jobs.forEach((j) => busyKeys.current.add(j.key));
    queue.current.push(...jobs);
    pump();
  };

  /**
   * Sends a failed line's file again, with what was chosen for it then
   * (not what the form holds now): back in the queue, behind what waits.
   * When the failure came where the server may have stored it all the same
   * (the answer lost, a server failure, cancelled while it was checked),
   * the meeting's documents are read first: the same file, new since, means
   * it was stored, and the line says so instead of storing a second copy.
   * The focus goes to the line's cancel button, which replaces this one (or
   * its dismiss button, once it has an answer).
   */
  const retry = (u: Upload) => {
    const job = u.job;
    if (readOnly || !job || busyKeys.current.has(u.key)) return;
    focusLater(
      () => lines.current?.querySelector?.<HTMLElement>(`[data-key="${u.key}"] [data-testid=upload-cancel]`),
      () => lines.current?.querySelector?.<HTMLElement>(`[data-key="${u.key}"] [data-testid=upload-dismiss]`),
    );
    const send = () => {
      patch(u.key, { state: 'waiting', progress: 0, error: undefined, again: false, unsure: false });
      enqueue([{ key: u.key, file: job.file, choice: job.choice, before: job.before ?? new Set() }]);
    };
    if (!u.unsure) return send();
    busyKeys.current.add(u.key);
    patch(u.key, { state: 'looking', error: undefined, again: false });
    const before = job.before ?? new Set<string>();
    findStored(job.file, () => desk.documents(meetingId), (d) => !before.has(d.id)).then((doc) => {
      busyKeys.current.delete(u.key);
      if (closed.current) return;
      if (!doc) return send();
      patch(u.key, { state: 'done', progress: 1, job: undefined, unsure: false, note: t('desk.upload.alreadyStored') });
      toast(t('desk.upload.done', { title: doc.title }));
      void onChanged();
    }, (e: unknown) => {
      busyKeys.current.delete(u.key);
      patch(u.key, lookupFailed(e));
    });
  };

  const addFiles = (files: FileList | File[] | null) => {
    if (!files || readOnly) return;
    const list = [...files];
    if (!list.length) return;
    // What is chosen now goes with these files, whatever is chosen later,
    // and exactly as chosen: confidential is never dropped on the way (a
    // caller who may not make confidential documents is refused by the
    // server, nothing is stored open); the line shows that same choice.
    const choice: UploadChoice = confidential
      ? { item: attachTo, confidential: true, readers: chosenReaders(readers, participants) }
      : { item: attachTo };
    const before: ReadonlySet<string> = new Set(shown.current.map((d) => d.id));
    const fresh = list.map((file) => ({ key: ++nextKey, file, choice, before }));
    // A file that is plainly not a PDF (a .docx dropped with the rest) is
    // not sent at all: its line says why at once, the others go on.
    const pdfs = fresh.filter((j) => looksLikePdf(j.file.name, j.file.type));
    setUploads((l) => [...l.filter((u) => u.state !== 'done'), ...fresh.map((j): Upload => (pdfs.includes(j) ? {
      key: j.key, name: j.file.name, size: j.file.size, progress: 0, state: 'waiting', confidential: !!j.choice.confidential,
      job: { file: j.file, choice: j.choice, before },
    } : notPdf(j.key, j.file)))]);
    enqueue(pdfs);
  };

  // Stop what is still uploading when the desk closes (and send nothing a look-up still running would have sent).
  const live = useRef(uploads);
  live.current = uploads;
  useEffect(() => () => {
    closed.current = true;
    queue.current = [];
    live.current.forEach((u) => u.abort?.());
  }, []);

  return (
    <section class="desk-section" aria-labelledby="docs-h">
      <h2 id="docs-h" class="sr" tabIndex={-1} ref={heading}>{t('desk.tab.documents')}</h2>
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
          {confides && <div class="form-row center">
            <label class="check">
              <input type="checkbox" checked={confidential} data-testid="upload-confidential"
                onChange={(e) => setConfidential(e.currentTarget.checked)} />
              {t('desk.upload.confidential')}
            </label>
          </div>}
          {confides && confidential && (
            <fieldset class="readers" data-testid="upload-readers">
              <legend>{t('desk.upload.readersTitle')}</legend>
              <ReaderChoice participants={participants} chosen={readers} onToggle={(id, on) => setReaders((s) => toggled(s, id, on))} />
            </fieldset>
          )}
          <p class="muted small">{t('desk.upload.hint')}</p>
          {confides && confidential && <p class="small" data-testid="upload-confidential-note">{t('desk.upload.confidentialHint')}</p>}
        </div>
      )}
      {uploads.length > 0 && (
        <ul class="uploads card" aria-label={t('desk.upload.list')} data-testid="uploads" ref={lines}>
          {uploads.map((u) => (
            <li key={u.key} class={`upload ${u.state}`} data-testid="upload" data-state={u.state} data-key={u.key}>
              <UploadStatus u={u} onCancel={() => cancel(u)} onDismiss={() => setUploads((l) => l.filter((x) => x.key !== u.key))}
                onRetry={readOnly ? undefined : () => retry(u)} />
            </li>
          ))}
        </ul>
      )}
      <div class="card table-card">
        {sorted.length === 0 && <p class="muted pad">{t('desk.docs.none')}</p>}
        <ol class="doc-list" data-testid="doc-list" ref={list}>
          {sorted.map((d, i) => (
            <DocRow key={d.id} doc={d} index={i} all={sorted} items={items} participants={participants} readOnly={readOnly}
              confides={confides} onChanged={onChanged}
              onDeleted={() => focusLater(() => nthOrLast(list.current, '[data-action=delete]', i), () => heading.current)} />
          ))}
        </ol>
      </div>
    </section>
  );
}

function DocRow({ doc, index, all, items, participants, readOnly, confides, onChanged, onDeleted }: {
  doc: DeskDoc;
  index: number;
  all: DeskDoc[];
  items: AgendaItem[];
  participants: Participant[];
  readOnly: boolean;
  confides: boolean;
  onChanged(): Promise<void> | void;
  /** The document was deleted: its row goes, and the list moves the focus on. */
  onDeleted(): void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(doc.title);
  const [readersOpen, setReadersOpen] = useState(false);
  // The access list the server answered with when the document was made
  // confidential: the readers panel starts from it rather than reading
  // the document again (undefined: the panel reads it).
  const [answeredReaders, setAnsweredReaders] = useState<readonly string[] | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  // Shown at once; the server's answer (or a refusal) brings the truth back.
  const [conf, setConf] = useState(doc.confidential);
  useEffect(() => setConf(doc.confidential), [doc.confidential]);
  const [busy, run] = useBusy();
  const ro = readOnly || busy;
  // Back to the row's own button once the rename box has closed, or a delete failed.
  const renameButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const focusLater = useFocusLater();
  const closeRename = () => {
    setRenaming(false);
    focusLater(() => renameButton.current);
  };
  // A new version: its upload line, and the earlier versions when shown.
  const [ver, setVer] = useState<Upload | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const verInput = useRef<HTMLInputElement>(null);
  const verLine = useRef<HTMLDivElement>(null);
  const verAbort = useRef<(() => void) | undefined>(undefined);
  verAbort.current = ver?.abort;
  const gone = useRef(false);
  useEffect(() => () => {
    gone.current = true;
    verAbort.current?.();
  }, []);
  const sendingVersion = ver?.state === 'sending' || ver?.state === 'checking' || ver?.state === 'looking';
  // The document's version before a new one was first sent: a retry looks for the file among the versions after it.
  const verFrom = useRef(0);
  // A version is being sent or looked for (a ref: a double press in one render starts one).
  const verBusy = useRef(false);

  /** Sends a new version (again, from its failed line: the same file). One that is plainly not a PDF is not sent. */
  const addVersion = (file: File | undefined, again = false) => {
    if (!file || readOnly || sendingVersion || verBusy.current) return;
    const key = ++nextKey;
    if (!looksLikePdf(file.name, file.type)) return setVer(notPdf(key, file));
    if (!again) verFrom.current = doc.version;
    setVer({ key, name: file.name, size: file.size, progress: 0, state: 'waiting', job: { file, choice: {} } });
    const set = (p: Partial<Upload>) => setVer((u) => (u && u.key === key ? { ...u, ...p } : u));
    verBusy.current = true;
    void follow(file.name, (p) => uploadVersion(doc.id, file, p), set, (d) => {
      set({ job: undefined });
      toast(t('desk.version.done', { title: d.title, n: d.version }));
      void onChanged();
    }).finally(() => (verBusy.current = false));
  };

  /**
   * A failed version's retry: the same file again, unless it may have been
   * stored all the same (see Documents' retry): then the document's
   * versions are read first, and the same file in a version after the one
   * it had is taken as this upload, not sent a second time.
   */
  const retryVersion = () => {
    const u = ver;
    const file = u?.job?.file;
    if (!u || !file || readOnly || sendingVersion || verBusy.current) return;
    if (!u.unsure) return addVersion(file, true);
    verBusy.current = true;
    const set = (p: Partial<Upload>) => setVer((x) => (x && x.key === u.key ? { ...x, ...p } : x));
    set({ state: 'looking', error: undefined, again: false });
    const from = verFrom.current;
    findStored(file, () => desk.document(doc.id).then((d) => (d.versions ?? []).map((v) => ({ ...v, title: d.title }))),
      (v) => v.version > from).then((v) => {
      verBusy.current = false;
      if (gone.current) return;
      if (!v) return addVersion(file, true);
      set({ state: 'done', progress: 1, job: undefined, unsure: false, note: t('desk.upload.alreadyStored') });
      toast(t('desk.version.done', { title: v.title, n: v.version }));
      void onChanged();
    }, (e: unknown) => {
      verBusy.current = false;
      set(lookupFailed(e));
    });
  };

  const save = (body: Parameters<typeof desk.updateDocument>[1], ok: string) =>
    run(async () => {
      await act(() => desk.updateDocument(doc.id, body), ok);
      await onChanged();
    });

  /** The box stays open (with what was typed) until the new title is saved: a refusal or a lost network keeps it, to send again. */
  const rename = (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const v = name.trim();
    const problem = titleProblem(v);
    if (problem) return toast(t(problem === 'desk.err.titleLine' ? problem : 'desk.docs.badTitle'), true);
    if (v === doc.title) return closeRename();
    void run(async () => {
      if (await act(() => desk.updateDocument(doc.id, { title: v }), t('desk.docs.renamed', { title: v }))) closeRename();
      await onChanged();
    });
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
          <form class="rename" onSubmit={rename} aria-busy={busy} onKeyDown={(e) => { if (e.key === 'Escape' && !busy) closeRename(); }}>
            {/* Read-only, not disabled, while saving: the focus stays where it is. */}
            <input value={name} maxLength={300} aria-label={t('desk.docs.newTitle')} autoFocus readOnly={busy} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit" class="btn primary" aria-disabled={busy || undefined}>{busy ? t('desk.saving') : t('common.save')}</button>
            <button type="button" class="btn" aria-disabled={busy || undefined}
              onClick={() => { if (busy) return; setName(doc.title); closeRename(); }}>{t('common.cancel')}</button>
          </form>
        ) : (
          <span class="doc-title" data-testid="doc-title">{doc.title}</span>
        )}
        <span class="doc-meta">
          <span>{pages(doc.pages)}</span>
          <span>{fileSize(doc.size)}</span>
          {doc.version > 1 && <span data-testid="doc-version">{t('desk.docs.version', { n: doc.version })}</span>}
          {doc.confidential && <span class="badge warn">{t('desk.docs.confidential')}</span>}
          {doc.version > 1 && (
            <button type="button" class="btn link" aria-expanded={versionsOpen} data-testid="doc-versions-toggle"
              aria-label={t('desk.version.earlierOf', { title: doc.title })}
              onClick={() => setVersionsOpen(!versionsOpen)}>{t('desk.version.earlier')}</button>
          )}
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
        {/* An administrator who takes no part may neither make nor see confidential documents: no control. */}
        {confides && <label class="check">
          <input type="checkbox" checked={conf} disabled={ro} data-testid="doc-confidential"
            onChange={(e) => {
              const c = e.currentTarget.checked;
              setConf(c);
              setReadersOpen(false);
              void run(async () => {
                // The readers panel opens once the change is saved, with the
                // access list of the answer: read while the change was on its
                // way, the document could still be open and show nobody chosen,
                // while the list kept from before already lets people read it.
                let saved: DeskDoc | undefined;
                const ok = await act(async () => {
                  saved = await desk.updateDocument(doc.id, { confidential: c });
                }, c ? t('desk.docs.madeConfidential') : t('desk.docs.madeOpen'));
                if (!ok) setConf(doc.confidential);
                else if (c && saved) {
                  setAnsweredReaders(saved.readers ?? []);
                  setReadersOpen(true);
                }
                await onChanged();
              });
            }} />
          {t('desk.docs.confidential')}
        </label>}
        {/* Not while a change is being saved: the panel would read the document as it was. */}
        {confides && conf && (
          <button type="button" class="btn" disabled={ro} aria-expanded={readersOpen} data-testid="doc-readers"
            onClick={() => {
              setAnsweredReaders(undefined);
              setReadersOpen(!readersOpen);
            }}>{t('desk.docs.readers')}</button>
        )}
        {!readOnly && (
          <span class="row-actions">
            <button type="button" class="btn icon" disabled={ro || index === 0} onClick={() => void move(-1)}
              aria-label={t('desk.docs.up', { title: doc.title })}>↑</button>
            <button type="button" class="btn icon" disabled={ro || index === all.length - 1} onClick={() => void move(1)}
              aria-label={t('desk.docs.down', { title: doc.title })}>↓</button>
            {/* aria-disabled, not disabled, while a version goes up: the button keeps the keyboard focus. */}
            <button type="button" class="btn" disabled={ro} aria-disabled={sendingVersion || undefined}
              onClick={() => { if (!sendingVersion) verInput.current?.click(); }}
              aria-label={t('desk.version.newOf', { title: doc.title })} data-testid="doc-new-version">{t('desk.version.new')}</button>
            <input ref={verInput} type="file" accept="application/pdf,.pdf" class="sr" tabIndex={-1} data-testid="doc-version-input"
              aria-label={t('desk.version.newOf', { title: doc.title })}
              onChange={(e) => {
                addVersion(e.currentTarget.files?.[0]);
                e.currentTarget.value = '';
              }} />
            <button type="button" class="btn" disabled={ro} onClick={() => { setName(doc.title); setRenaming(true); }} ref={renameButton}
              aria-label={t('desk.docs.renameOf', { title: doc.title })} data-testid="doc-rename">{t('desk.docs.rename')}</button>
            <button type="button" class="btn danger" disabled={ro} onClick={() => setDeleting(true)} ref={deleteButton} data-action="delete"
              aria-label={t('desk.docs.deleteOf', { title: doc.title })}>{t('common.delete')}</button>
          </span>
        )}
      </div>
      {ver && (
        <div class={`upload drow-upload ${ver.state}`} data-testid="version-upload" data-state={ver.state} ref={verLine}>
          <UploadStatus u={ver} onCancel={() => ver.abort?.()} onDismiss={() => setVer(null)}
            onRetry={readOnly ? undefined : () => {
              retryVersion();
              // The retry button goes: to the line's cancel button, else (already answered) its dismiss button.
              focusLater(() => verLine.current?.querySelector?.<HTMLElement>('[data-testid=upload-cancel]'),
                () => verLine.current?.querySelector?.<HTMLElement>('[data-testid=upload-dismiss]'));
            }} />
        </div>
      )}
      {versionsOpen && doc.version > 1 && <Versions doc={doc} participants={participants} />}
      {readersOpen && conf && confides && (
        <Readers doc={doc} participants={participants} readOnly={readOnly} initial={answeredReaders}
          onClose={() => setReadersOpen(false)} onChanged={onChanged} />
      )}
      {deleting && (
        <Confirm title={t('desk.docs.deleteTitle', { title: doc.title })} confirmLabel={t('common.delete')} danger
          onCancel={() => setDeleting(false)}
          onConfirm={() => {
            setDeleting(false);
            void run(async () => {
              if (await act(() => desk.deleteDocument(doc.id), t('desk.docs.deleted', { title: doc.title }))) onDeleted();
              else focusLater(() => deleteButton.current);
              await onChanged();
            });
          }}>
          <p>{t('desk.docs.deleteText')}</p>
        </Confirm>
      )}
    </li>
  );
}

/**
 * Who may read a confidential document besides the chair and the
 * secretaries (who always may). initial is the access list as a save just
 * answered it; without it, the panel reads the document.
 */
function Readers({ doc, participants, readOnly, initial, onClose, onChanged }: {
  doc: DeskDoc;
  participants: Participant[];
  readOnly: boolean;
  initial?: readonly string[];
  onClose(): void;
  onChanged(): Promise<void> | void;
}) {
  // What the panel shows (null while it loads), the access list it started
  // from, and whether the user has ticked anything since.
  const [chosen, setChosen] = useState<Set<string> | null>(() => (initial ? new Set(initial) : null));
  const [base, setBase] = useState<readonly string[] | null>(() => initial ?? null);
  const [touched, setTouched] = useState(false);
  // The access list changed elsewhere while the user's own choice was kept.
  const [changedMeanwhile, setChangedMeanwhile] = useState(false);
  const [failed, setFailed] = useState(false);
  const [busy, run] = useBusy();
  useEffect(() => {
    if (initial) return;
    let on = true;
    desk.document(doc.id).then((d) => {
      if (!on) return;
      // The list followed a change made elsewhere already: that is newer than this read.
      setChosen((c) => c ?? new Set(d.readers ?? []));
      setBase((b) => b ?? (d.readers ?? []));
    }, (e) => {
      if (!on) return;
      setFailed(true);
      toast(errText(e), true);
    });
    return () => {
      on = false;
    };
  }, [doc.id]);
  // The desk reloads the documents (with their access lists) when a live
  // event says one changed: a change made elsewhere (another desk, the
  // cockpit) while the panel is open. Untouched, the panel follows it; once
  // the user has ticked something, their choice stays and a note says the
  // list changed meanwhile.
  const listed = doc.confidential && doc.readers ? readersKey(doc.readers) : null;
  const seen = useRef(listed);
  useEffect(() => {
    const before = seen.current;
    seen.current = listed;
    if (listed === null || listed === before || !doc.readers) return;
    if (base && readersKey(base) === listed) return; // what the panel started from (e.g. the answer to its own change)
    const now = doc.readers;
    setBase(now);
    if (!touched) {
      setChosen(new Set(now));
      setFailed(false);
    } else if (chosen && readersKey([...chosen]) !== listed) {
      setChangedMeanwhile(true);
    }
  }, [listed]);
  const toggle = (id: string, on: boolean) => {
    setTouched(true);
    setChosen((c) => toggled(c ?? new Set(), id, on));
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
      {failed && <p class="error">{t('desk.docs.readersFailed')}</p>}
      {changedMeanwhile && <p class="small" role="status" data-testid="readers-changed">{t('desk.docs.readersChangedMeanwhile')}</p>}
      {chosen === null && !failed && <p class="muted">{t('common.loading')}</p>}
      {chosen && (
        <>
          <ReaderChoice participants={participants} chosen={chosen} onToggle={toggle} />
          <div class="row end">
            <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
            <button type="button" class="btn primary" onClick={() => void save()} data-testid="readers-save">{t('desk.docs.readersSave')}</button>
          </div>
        </>
      )}
    </fieldset>
  );
}

/** An access list as a comparable string (its order does not matter). */
const readersKey = (ids: readonly string[]) => [...ids].sort().join(',');

/** The versions of a document before its current one, each with when it came, who sent it, and a link to open it. */
function Versions({ doc, participants }: { doc: DeskDoc; participants: Participant[] }) {
  const [full, setFull] = useState<DeskDoc | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let on = true;
    setFailed(false);
    desk.document(doc.id).then((d) => on && setFull(d), () => on && setFailed(true));
    return () => {
      on = false;
    };
  }, [doc.id, doc.version]);
  const name = (id: string) => participants.find((p) => p.user_id === id)?.full_name;
  const list = full ? earlierVersions(full.version, full.versions) : [];
  return (
    <section class="versions" data-testid="doc-versions" aria-label={t('desk.version.earlierOf', { title: doc.title })}>
      {failed && <p class="error">{t('desk.version.failed')}</p>}
      {!full && !failed && <p class="muted">{t('common.loading')}</p>}
      {full && list.length === 0 && <p class="muted">{t('desk.version.none')}</p>}
      {list.length > 0 && (
        <ul>
          {list.map((v) => {
            const by = name(v.uploaded_by);
            return (
              <li key={v.version} data-testid="doc-version-row" data-version={v.version}>
                <span class="v-name">{t('desk.docs.version', { n: v.version })}</span>
                <span class="muted small">
                  {t('desk.version.uploaded', { when: dateTime(v.uploaded_at) })}
                  {by ? ` · ${t('desk.version.by', { name: by })}` : ''}
                  {` · ${pages(v.pages)} · ${fileSize(v.size)}`}
                </span>
                <a class="btn" href={fileURL({ id: doc.id, version: v.version })} target="_blank" rel="noopener"
                  aria-label={t('desk.version.openOf', { n: v.version, title: doc.title })} data-testid="doc-version-open">
                  {t('desk.version.open')}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
