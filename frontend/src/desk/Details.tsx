// The meeting's details: title, start, place, description and quorum rule.
// Creates the meeting when there is none yet.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type Key } from '../i18n';
import { toast } from '../ui/Toast';
import { desk, type FullMeeting, type MeetingInput } from './api';
import { errText, FieldError, fieldAria, useBusy } from './common';
import { detailsForm, detailsPatch, fromLocalInput, hasNoteControl, rebaseForm, titleProblem, type DetailsForm } from './logic';

/** The label a field goes by, to name it when someone else changed it meanwhile. */
const LABEL: Record<keyof DetailsForm, Key> = {
  title: 'desk.details.name', starts: 'desk.details.starts', location: 'desk.details.location', description: 'desk.details.description',
  rule: 'desk.quorum.title', count: 'desk.quorum.title', byWeight: 'desk.quorum.title',
};

export function Details({ meeting, readOnly, onSaved }: {
  meeting: FullMeeting | null;
  readOnly: boolean;
  onSaved(m: FullMeeting, created: boolean): void;
}) {
  const [form, setForm] = useState<DetailsForm>(() => detailsForm(meeting));
  // The meeting as last loaded: what a save compares with, to send only what the user changed.
  const base = useRef<DetailsForm>(detailsForm(meeting));
  // Fields the user is editing that someone else changed meanwhile.
  const [clashes, setClashes] = useState<(keyof DetailsForm)[]>([]);
  // A meeting this form created (new meeting): trying again never creates a second one.
  const created = useRef<FullMeeting | null>(null);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, run] = useBusy();
  const { title, starts, location, description, rule, count, byWeight } = form;
  const set = <K extends keyof DetailsForm>(k: K, v: DetailsForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  // The meeting changed (meeting.updated from another desk, or a save): the
  // fields not being edited follow it.
  useEffect(() => {
    if (!meeting) return;
    const next = detailsForm(meeting);
    const r = rebaseForm(form, base.current, next);
    base.current = next;
    setForm(r.form);
    if (r.clashes.length) setClashes((c) => [...new Set([...c, ...r.clashes])]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meeting]);

  /**
   * The form after a save of sent (the form as it was when Save was
   * pressed): the fields not touched since take the server's meeting; a
   * field typed in while the save was on its way keeps what was typed, still
   * to be sent.
   */
  const saved = (m: FullMeeting, sent: DetailsForm) => {
    const next = detailsForm(m);
    base.current = next;
    setForm((f) => rebaseForm(f, sent, next).form);
    setClashes([]);
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string | null> = {};
    const tp = titleProblem(title);
    if (tp) errs.title = t(tp);
    const when = fromLocalInput(starts);
    if (starts && !when) errs.starts = t('desk.err.date');
    if (location.length > 300) errs.location = t('desk.err.locationLong');
    else if (hasNoteControl(location)) errs.location = t('desk.err.noteControl', { field: t('desk.details.location') });
    if (description.length > 10000) errs.description = t('desk.err.descriptionLong');
    else if (hasNoteControl(description)) errs.description = t('desk.err.noteControl', { field: t('desk.details.description') });
    const n = Number(count);
    if (rule === 'at_least' && !(Number.isInteger(n) && n >= 1 && n <= 100000)) errs.count = t('desk.err.quorumCount');
    setErrors(errs);
    if (Object.values(errs).some(Boolean)) {
      toast(t('desk.err.form'), true);
      return;
    }
    const sent = form;
    const existing = meeting ?? created.current;
    if (existing) {
      const patch = detailsPatch(form, base.current);
      if (Object.keys(patch).length === 0) {
        toast(t('desk.details.unchanged'));
        return;
      }
      void run(async () => {
        try {
          const m = await desk.updateMeeting(existing.id, patch);
          saved(m, sent);
          toast(t('desk.details.saved'));
          onSaved(m, !meeting);
        } catch (err) {
          toast(errText(err), true);
        }
      });
      return;
    }
    const body: MeetingInput = { title: title.trim(), location: location.trim(), description: description.trim() };
    if (when) body.starts_at = when;
    void run(async () => {
      let m: FullMeeting;
      try {
        m = await desk.createMeeting(body);
      } catch (err) {
        toast(errText(err), true);
        return;
      }
      // The meeting exists: whatever happens to the quorum rule, this form is now its own.
      created.current = m;
      base.current = detailsForm(m);
      // A new meeting has the rule "majority": another one is a second step.
      const quorum = detailsPatch(sent, base.current).quorum;
      let ok = true;
      if (quorum) {
        try {
          m = await desk.updateMeeting(m.id, { quorum });
        } catch (err) {
          ok = false;
          toast(t('desk.details.quorumNotSaved', { reason: errText(err) }), true);
        }
      }
      // Saved whole: the form takes the meeting (what was typed meanwhile stays). Otherwise the
      // form keeps the rule chosen, which the meeting does not have yet: saving again sends it.
      if (ok) {
        saved(m, sent);
        toast(t('desk.details.created'));
      }
      onSaved(m, true);
    });
  };

  const clearedDate = !!meeting?.starts_at && !starts;
  return (
    <form class="desk-form card" onSubmit={submit} noValidate data-testid="details-form">
      <h2>{meeting ? t('desk.details.title') : t('desk.details.newTitle')}</h2>
      <fieldset disabled={readOnly || busy}>
        <label>
          <span>{t('desk.details.name')} <span class="req" aria-hidden="true">*</span></span>
          <input name="title" value={title} maxLength={300} required {...fieldAria('err-title', errors.title)}
            onInput={(e) => {
              set('title', e.currentTarget.value);
              if (errors.title) setErrors({ ...errors, title: null });
            }} />
          <FieldError id="err-title" text={errors.title ?? null} />
        </label>
        <div class="form-row">
          <label>
            {t('desk.details.starts')}
            <input type="datetime-local" name="starts_at" value={starts} {...fieldAria('err-starts', errors.starts)}
              onInput={(e) => set('starts', e.currentTarget.value)} />
            <FieldError id="err-starts" text={errors.starts ?? null} />
            {clearedDate && <span class="muted small">{t('desk.details.dateKept')}</span>}
          </label>
          <label class="grow">
            {t('desk.details.location')}
            <input name="location" value={location} maxLength={300} {...fieldAria('err-location', errors.location)}
              onInput={(e) => set('location', e.currentTarget.value)} />
            <FieldError id="err-location" text={errors.location ?? null} />
          </label>
        </div>
        <label>
          {t('desk.details.description')}
          <textarea name="description" rows={4} value={description} maxLength={10000} {...fieldAria('err-description', errors.description)}
            onInput={(e) => set('description', e.currentTarget.value)} />
          <FieldError id="err-description" text={errors.description ?? null} />
        </label>
        <fieldset class="quorum">
          <legend>{t('desk.quorum.title')}</legend>
          <div class="form-row">
            <label>
              {t('desk.quorum.rule')}
              <select name="quorum_rule" value={rule} onChange={(e) => set('rule', e.currentTarget.value as DetailsForm['rule'])}>
                <option value="majority">{t('desk.quorum.majority')}</option>
                <option value="two_thirds">{t('desk.quorum.twoThirds')}</option>
                <option value="at_least">{t('desk.quorum.atLeast')}</option>
              </select>
            </label>
            {rule === 'at_least' && (
              <label>
                {t('desk.quorum.count')}
                <input type="number" name="quorum_count" min={1} max={100000} value={count}
                  {...fieldAria('err-count', errors.count)} onInput={(e) => set('count', e.currentTarget.value)} />
                <FieldError id="err-count" text={errors.count ?? null} />
              </label>
            )}
            <label class="check">
              <input type="checkbox" name="by_weight" checked={byWeight} onChange={(e) => set('byWeight', e.currentTarget.checked)} />
              {t('desk.quorum.byWeight')}
            </label>
          </div>
        </fieldset>
        {clashes.length > 0 && (
          <p class="banner" role="status" data-testid="details-clash">
            {t('desk.details.changedMeanwhile', { fields: [...new Set(clashes.map((k) => t(LABEL[k])))].join(', ') })}
          </p>
        )}
        <div class="row end">
          <button type="submit" class="btn primary big" data-testid="details-save">
            {busy ? t('desk.saving') : meeting ? t('common.save') : t('desk.details.create')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
