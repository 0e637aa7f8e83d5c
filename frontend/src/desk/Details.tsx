// The meeting's details: title, start, place, description and quorum rule.
// Creates the meeting when there is none yet.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { toast } from '../ui/Toast';
import { desk, type FullMeeting, type MeetingInput, type QuorumRuleName } from './api';
import { errText, FieldError, useBusy } from './common';
import { fromLocalInput, titleProblem, toLocalInput } from './logic';

export function Details({ meeting, readOnly, onSaved }: {
  meeting: FullMeeting | null;
  readOnly: boolean;
  onSaved(m: FullMeeting, created: boolean): void;
}) {
  const [title, setTitle] = useState(meeting?.title ?? '');
  const [starts, setStarts] = useState(toLocalInput(meeting?.starts_at ?? null));
  const [location, setLocation] = useState(meeting?.location ?? '');
  const [description, setDescription] = useState(meeting?.description ?? '');
  const [rule, setRule] = useState<QuorumRuleName>(meeting?.quorum.rule ?? 'majority');
  const [count, setCount] = useState(String(meeting?.quorum.count ?? ''));
  const [byWeight, setByWeight] = useState(meeting?.quorum.by_weight ?? false);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, run] = useBusy();

  const submit = (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string | null> = {};
    const tp = titleProblem(title);
    if (tp) errs.title = t(tp);
    const when = fromLocalInput(starts);
    if (starts && !when) errs.starts = t('desk.err.date');
    if (location.length > 300) errs.location = t('desk.err.locationLong');
    if (description.length > 10000) errs.description = t('desk.err.descriptionLong');
    const n = Number(count);
    if (rule === 'at_least' && !(Number.isInteger(n) && n >= 1 && n <= 100000)) errs.count = t('desk.err.quorumCount');
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) {
      toast(t('desk.err.form'), true);
      return;
    }
    const quorum = rule === 'at_least' ? { rule, count: n, by_weight: byWeight } : { rule, by_weight: byWeight };
    const body: MeetingInput = { title: title.trim(), location: location.trim(), description: description.trim() };
    if (when) body.starts_at = when;
    void run(async () => {
      try {
        let m: FullMeeting;
        if (meeting) {
          m = await desk.updateMeeting(meeting.id, { ...body, quorum });
        } else {
          m = await desk.createMeeting(body);
          if (rule !== 'majority' || byWeight) m = await desk.updateMeeting(m.id, { quorum });
        }
        toast(meeting ? t('desk.details.saved') : t('desk.details.created'));
        onSaved(m, !meeting);
      } catch (err) {
        toast(errText(err), true);
      }
    });
  };

  const clearedDate = !!meeting?.starts_at && !starts;
  return (
    <form class="desk-form card" onSubmit={submit} noValidate data-testid="details-form">
      <h2>{meeting ? t('desk.details.title') : t('desk.details.newTitle')}</h2>
      <fieldset disabled={readOnly || busy}>
        <label>
          <span>{t('desk.details.name')} <span class="req" aria-hidden="true">*</span></span>
          <input name="title" value={title} maxLength={300} required aria-invalid={!!errors.title} aria-describedby="err-title"
            onInput={(e) => {
              setTitle(e.currentTarget.value);
              if (errors.title) setErrors({ ...errors, title: null });
            }} />
          <FieldError id="err-title" text={errors.title ?? null} />
        </label>
        <div class="form-row">
          <label>
            {t('desk.details.starts')}
            <input type="datetime-local" name="starts_at" value={starts} aria-invalid={!!errors.starts} aria-describedby="err-starts"
              onInput={(e) => setStarts(e.currentTarget.value)} />
            <FieldError id="err-starts" text={errors.starts ?? null} />
            {clearedDate && <span class="muted small">{t('desk.details.dateKept')}</span>}
          </label>
          <label class="grow">
            {t('desk.details.location')}
            <input name="location" value={location} maxLength={300} aria-describedby="err-location"
              onInput={(e) => setLocation(e.currentTarget.value)} />
            <FieldError id="err-location" text={errors.location ?? null} />
          </label>
        </div>
        <label>
          {t('desk.details.description')}
          <textarea name="description" rows={4} value={description} maxLength={10000}
            onInput={(e) => setDescription(e.currentTarget.value)} />
          <FieldError id="err-description" text={errors.description ?? null} />
        </label>
        <fieldset class="quorum">
          <legend>{t('desk.quorum.title')}</legend>
          <div class="form-row">
            <label>
              {t('desk.quorum.rule')}
              <select name="quorum_rule" value={rule} onChange={(e) => setRule(e.currentTarget.value as QuorumRuleName)}>
                <option value="majority">{t('desk.quorum.majority')}</option>
                <option value="two_thirds">{t('desk.quorum.twoThirds')}</option>
                <option value="at_least">{t('desk.quorum.atLeast')}</option>
              </select>
            </label>
            {rule === 'at_least' && (
              <label>
                {t('desk.quorum.count')}
                <input type="number" name="quorum_count" min={1} max={100000} value={count} aria-invalid={!!errors.count}
                  aria-describedby="err-count" onInput={(e) => setCount(e.currentTarget.value)} />
                <FieldError id="err-count" text={errors.count ?? null} />
              </label>
            )}
            <label class="check">
              <input type="checkbox" name="by_weight" checked={byWeight} onChange={(e) => setByWeight(e.currentTarget.checked)} />
              {t('desk.quorum.byWeight')}
            </label>
          </div>
        </fieldset>
        <div class="row end">
          <button type="submit" class="btn primary big" data-testid="details-save">
            {busy ? t('desk.saving') : meeting ? t('common.save') : t('desk.details.create')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
