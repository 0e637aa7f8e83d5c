// A poll's result as horizontal bars (CSS, no chart library): each option's
// share of what decided the vote (a full track is everything cast, so a
// 1–1 vote shows two half bars), its count and share, the outcome and the
// turnout. What decided is the voting weight (vote/rules.go:
// every rule counts it; one per person unless the meeting gives weights):
// when weights made a difference, the bars say so and each option shows its
// head count too. The cockpit shows it small, the room display large.
import { num, t, type Key } from '../i18n';
import type { Poll } from '../types';
import { optionLabel, weighted } from '../ui/Poll';
import { bars } from './logic';

// Class names, with a dash so the dictionary test does not take them for translation keys.
const TONE: Record<string, string> = { agree: 'tone-yes', disagree: 'tone-no', abstain: 'tone-abs' };

export function ResultChart({ poll, big = false }: { poll: Poll; big?: boolean }) {
  const byWeight = weighted(poll.results);
  const { bars: list, total } = bars(poll.results, byWeight ? 'weight' : 'votes');
  const heads = new Map((poll.results ?? []).map((r) => [r.option, r.votes]));
  return (
    <figure class={`chart${big ? ' big' : ''}${byWeight ? ' weighted' : ''}`} data-testid="result-chart" aria-label={t('chair.poll.chart', { title: poll.title })}>
      {poll.outcome && (
        <p class={`chart-outcome oc-${poll.outcome}`} data-testid="chart-outcome">{t(`outcome.${poll.outcome}` as Key)}</p>
      )}
      {byWeight && <p class="chart-by" data-testid="chart-by-weight">{t('poll.byWeight')}</p>}
      <ul class="chart-bars">
        {list.map((b, i) => {
          const h = num(heads.get(b.option) ?? 0);
          const label = byWeight
            ? t('chair.poll.barWeight', { n: num(b.value), heads: h, pct: b.pct })
            : t('chair.poll.barLabel', { n: num(b.value), pct: b.pct });
          return (
            <li key={b.option} class={(poll.kind === 'motion' && TONE[b.option]) || `tone-c${i % 6}`}>
              <span class="chart-label">{optionLabel(poll, poll.options.find((o) => o.id === b.option), b.option)}</span>
              <span class="chart-track" role="img" aria-label={label}>
                <span class="chart-fill" style={{ width: `${(b.share * 100).toFixed(2)}%` }} />
              </span>
              <span class="chart-n" data-testid="chart-n">{num(b.value)}</span>
              <span class="chart-pct">{total > 0 ? `${b.pct}%` : '–'}</span>
              {byWeight && <span class="chart-heads" data-testid="chart-heads">{t('poll.heads', { n: h })}</span>}
            </li>
          );
        })}
      </ul>
      <figcaption class="chart-foot">
        <span>{t('chair.poll.turnout', { voted: num(poll.voted), eligible: num(poll.eligible) })}</span>
        <span class="chart-scale">{t(byWeight ? 'chair.poll.scaleWeight' : 'chair.poll.scaleVotes')}</span>
      </figcaption>
    </figure>
  );
}
