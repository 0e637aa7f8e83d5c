// Who may read a confidential document: the chair and the secretaries
// always may (named, not chosen); the other participants are ticked one by
// one. Shared by a document's readers panel and the upload area.
import { t } from '../i18n';
import type { Participant } from './api';
import { splitReaders } from './logic';

export function ReaderChoice({ participants, chosen, onToggle }: {
  participants: Participant[];
  chosen: ReadonlySet<string>;
  onToggle(userId: string, on: boolean): void;
}) {
  const { always, others } = splitReaders(participants);
  return (
    <>
      <p class="muted small">{t('desk.docs.readersAlways', { names: always.map((p) => p.full_name).join(', ') || '—' })}</p>
      {others.length === 0 && <p class="muted">{t('desk.docs.readersNone')}</p>}
      <div class="reader-grid">
        {others.map((p) => (
          <label key={p.user_id} class="check">
            <input type="checkbox" checked={chosen.has(p.user_id)} data-user={p.username}
              onChange={(e) => onToggle(p.user_id, e.currentTarget.checked)} />
            {p.full_name}
          </label>
        ))}
      </div>
    </>
  );
}

