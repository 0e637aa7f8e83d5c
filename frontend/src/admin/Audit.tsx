// The audit log, for administrators: who did what, to which object, in
// which meeting, from where; filtered by meeting, document, person and
// action ("who opened this confidential document?"), newest first, a page
// at a time, and downloadable as CSV.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, request } from '../api';
import { currentLang, t, type Key } from '../i18n';
import { go } from '../router';
import type { ScreenProps } from '../ui/App';
import { LangSwitch } from '../ui/LangSwitch';
import { BackLink, BarMenu } from '../ui/Meetings';
import { Toasts } from '../ui/Toast';
import { admin, desk } from '../desk/api';
import { errText, useLangTick } from '../desk/common';
import {
  ACTION_GROUPS, actionKey, auditCSV, auditQuery, describeObject, detailText, learnItemTitles, meetingsToAsk, PAGE, personName, titlesIn,
  type AuditEntry, type AuditFilter, type ItemTitles, type Names,
} from './audit';
import '../desk/desk.css';

export function Audit({ me, onSignOut }: ScreenProps) {
  useLangTick();
  return (
    <div class="page desk">
      <header class="topbar">
        <BackLink label={t('desk.back')} />
        <h1 class="title">{t('audit.title')}</h1>
        <span class="grow" />
        <BarMenu>
          <a class="btn" href="/admin" onClick={go('/admin')} data-testid="to-users">{t('admin.title')}</a>
          <span class="who">{me.full_name}</span>
        </BarMenu>
        <LangSwitch />
        <button class="btn sign-out" onClick={onSignOut} data-testid="sign-out">{t('common.signOut')}</button>
      </header>
      {me.is_admin ? <Log /> : (
        <main class="desk-main">
          <p class="error card pad" role="alert" data-testid="not-allowed">{t('admin.notAllowed')}</p>
        </main>
      )}
      <Toasts />
    </div>
  );
}

/** The time of an entry to the second: the order of events is the point of a log. */
const when = (iso: string) =>
  new Date(iso).toLocaleString(currentLang() === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });

const actionName = (a: string) => {
  const k = actionKey(a);
  return k ? t(k) : a;
};

const kindKey: Record<string, Key> = {
  document: 'audit.k.document', user: 'audit.k.user', meeting: 'audit.k.meeting', poll: 'audit.k.poll',
  agenda_item: 'audit.k.agendaItem', speaker: 'audit.k.speaker', annotation: 'audit.k.annotation',
};

const noFilter: AuditFilter = { meetingId: '', actorId: '', action: '', object: '' };

function Log() {
  const [names, setNames] = useState<Names>({ users: new Map(), meetings: new Map(), documents: new Map(), items: new Map() });
  const [users, setUsers] = useState<{ id: string; label: string }[]>([]);
  const [meetings, setMeetings] = useState<{ id: string; title: string }[]>([]);
  const [docs, setDocs] = useState<{ id: string; title: string }[]>([]);
  const [filter, setFilter] = useState<AuditFilter>(noFilter);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // Which filter's list is shown: a page asked for under an earlier filter is dropped when it comes.
  const generation = useRef(0);
  // The agenda items' titles learnt from the entries, each with the entry it came from.
  const itemTitles = useRef<ItemTitles>(new Map());
  // The meetings whose documents were asked for to name the entries' documents (once each).
  const askedDocs = useRef(new Set<string>());

  // Names for the ids the entries carry: every user and every meeting (an
  // administrator sees them all), and the documents of the chosen meeting.
  useEffect(() => {
    void Promise.all([admin.users(), api.meetings()]).then(([us, ms]) => {
      setUsers(us.map((u) => ({ id: u.id, label: `${u.full_name} (${u.username})` })).sort((a, b) => a.label.localeCompare(b.label)));
      setMeetings(ms.map((m) => ({ id: m.id, title: m.title })));
      setNames((n) => ({
        ...n,
        users: new Map(us.map((u) => [u.id, { username: u.username, full_name: u.full_name }])),
        meetings: new Map(ms.map((m) => [m.id, m.title])),
      }));
    }, () => { /* the log still shows, with ids for names */ });
  }, []);
  useEffect(() => {
    setDocs([]);
    if (!filter.meetingId) return;
    let live = true;
    void desk.documents(filter.meetingId).then((ds) => {
      if (!live) return;
      setDocs(ds.map((d) => ({ id: d.id, title: d.title })));
      setNames((n) => ({ ...n, documents: new Map([...n.documents, ...ds.map((d) => [d.id, d.title] as [string, string])]) }));
    }, () => {});
    return () => void (live = false);
  }, [filter.meetingId]);

  // The first page for the filter; a change of filter starts again.
  useEffect(() => {
    let live = true;
    generation.current++;
    setLoading(true);
    setError(null);
    request<{ entries: AuditEntry[] }>('GET', `/audit?${auditQuery(filter)}`).then((r) => {
      if (!live) return;
      setEntries(r.entries);
      setMore(r.entries.length === PAGE);
    }, (e) => {
      if (live) setError(errText(e));
    }).finally(() => live && setLoading(false));
    return () => void (live = false);
  }, [filter]);

  // Titles the entries tell, for documents the lists above do not show: the
  // newest entry's (they come newest first, so the first one of each id wins).
  useEffect(() => {
    const learnt = titlesIn(entries ?? []).filter(([id]) => !names.documents.has(id)).reverse();
    if (learnt.length) setNames((n) => ({ ...n, documents: new Map([...learnt, ...n.documents]) }));
    // Agenda items by the newest title any entry seen gave, whatever page it came on.
    const items = learnItemTitles(itemTitles.current, entries ?? []);
    if (items) {
      itemTitles.current = items;
      setNames((n) => ({ ...n, items: new Map([...items].map(([id, v]) => [id, v.title])) }));
    }
  }, [entries]);

  // Documents the entries name by id only (opened, exported, shown, annotated): their meetings' lists name them.
  useEffect(() => {
    for (const m of meetingsToAsk(entries ?? [], names.documents, askedDocs.current)) {
      askedDocs.current.add(m);
      void desk.documents(m).then((ds) => {
        setNames((n) => ({ ...n, documents: new Map([...n.documents, ...ds.map((d) => [d.id, d.title] as [string, string])]) }));
      }, () => { /* the entries keep the id: enough to filter by */ });
    }
  }, [entries, names.documents]);

  const older = () => {
    if (!entries?.length) return;
    const gen = generation.current;
    setLoading(true);
    request<{ entries: AuditEntry[] }>('GET', `/audit?${auditQuery(filter, entries[entries.length - 1].id)}`).then((r) => {
      if (gen !== generation.current) return; // the filter changed meanwhile: this page is not of the list shown
      setEntries((cur) => [...(cur ?? []), ...r.entries]);
      setMore(r.entries.length === PAGE);
    }, (e) => {
      if (gen === generation.current) setError(errText(e));
    }).finally(() => {
      if (gen === generation.current) setLoading(false);
    });
  };

  const download = () => {
    const blob = new Blob([auditCSV(names, entries ?? [], actionName)], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `curia-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const set = (p: Partial<AuditFilter>) => setFilter({ ...filter, ...p });
  const docId = filter.object.startsWith('document:') ? filter.object.slice('document:'.length) : '';
  const rows = entries ?? [];
  return (
    <main class="desk-main">
      <form class="card desk-form" onSubmit={(e) => e.preventDefault()} data-testid="audit-filter">
        <h2>{t('audit.filter')}</h2>
        <div class="form-row">
          <label>
            {t('audit.meeting')}
            <select name="meeting" value={filter.meetingId} onChange={(e) => set({ meetingId: e.currentTarget.value, object: '' })}>
              <option value="">{t('audit.all')}</option>
              {meetings.map((m) => <option key={m.id} value={m.id}>{m.title}</option>)}
            </select>
          </label>
          <label>
            {t('audit.document')}
            <select name="document" value={docId} disabled={!filter.meetingId}
              onChange={(e) => set({ object: e.currentTarget.value ? `document:${e.currentTarget.value}` : '' })}>
              <option value="">{filter.meetingId ? t('audit.all') : t('audit.pickMeeting')}</option>
              {docs.map((d) => <option key={d.id} value={d.id}>{d.title}</option>)}
              {docId && !docs.some((d) => d.id === docId) && <option value={docId}>{names.documents.get(docId) ?? docId}</option>}
            </select>
          </label>
          <label>
            {t('audit.person')}
            <select name="actor" value={filter.actorId} onChange={(e) => set({ actorId: e.currentTarget.value })}>
              <option value="">{t('audit.all')}</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.label}</option>)}
            </select>
          </label>
          <label>
            {t('audit.action')}
            <select name="action" value={filter.action} onChange={(e) => set({ action: e.currentTarget.value })}>
              <option value="">{t('audit.all')}</option>
              {ACTION_GROUPS.map((g) => (
                <optgroup key={g.group} label={t(g.group)}>
                  {g.actions.map(([a, k]) => <option key={a} value={a}>{t(k)}</option>)}
                </optgroup>
              ))}
            </select>
          </label>
          <button type="button" class="btn" onClick={() => setFilter(noFilter)} disabled={filter === noFilter}>{t('audit.clear')}</button>
          <button type="button" class="btn" onClick={download} disabled={!rows.length} data-testid="audit-csv">{t('audit.csv')}</button>
        </div>
      </form>
      <div class="card table-card">
        <div class="agenda-head">
          <strong aria-live="polite" data-testid="audit-count">{t('audit.count', { n: rows.length })}</strong>
        </div>
        {error && <p class="error pad" role="alert">{error}</p>}
        {entries === null && !error && <p class="muted pad">{t('common.loading')}</p>}
        {entries?.length === 0 && <p class="muted pad" data-testid="audit-empty">{t('audit.none')}</p>}
        <table class="desk-table audit-table" data-testid="audit">
          <caption class="sr">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.person')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.object')}</th>
              <th scope="col">{t('audit.meeting')}</th>
              <th scope="col">{t('audit.ip')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const o = describeObject(names, e.object, e.detail);
              const about = o.kind && kindKey[o.kind] ? `${t(kindKey[o.kind])}: ${o.name}` : e.object ?? '';
              const meeting = e.meeting_id ? names.meetings.get(e.meeting_id) ?? e.meeting_id : '';
              return (
                <tr key={e.id} data-id={e.id} data-action={e.action}>
                  <td><time dateTime={e.at}>{when(e.at)}</time></td>
                  <td>{e.actor_id ? personName(names, e.actor_id) : <span class="muted">{t('audit.system')}</span>}</td>
                  <td title={e.action}>{actionName(e.action)}</td>
                  <td>
                    {e.object && (
                      <button type="button" class="btn link audit-object" title={`${about}\n${t('audit.onlyThis')}`} data-testid="audit-object"
                        onClick={() => setFilter({ ...filter, meetingId: e.meeting_id ?? filter.meetingId, object: e.object! })}>
                        <span class="clamp">{about}</span>
                      </button>
                    )}
                  </td>
                  {/* A long title in two lines at most (the full title on hover), not one word a line. */}
                  <td>{meeting && <span class="clamp audit-meeting" title={meeting} data-testid="audit-meeting">{meeting}</span>}</td>
                  <td>{e.client_ip ?? ''}</td>
                  <td class="small"><span class="audit-detail">{detailText(e.detail)}</span></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {more && (
          <p class="pad">
            <button type="button" class="btn" onClick={older} disabled={loading} data-testid="audit-older">{t('audit.older')}</button>
          </p>
        )}
      </div>
    </main>
  );
}
