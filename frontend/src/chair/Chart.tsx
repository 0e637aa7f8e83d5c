// A poll's result as horizontal bars (CSS, no chart library): each option's
// votes against a nice scale, its share, the outcome and the turnout. The
// cockpit shows it small, the room display large.
import { t, type Key } from '../i18n';
import type { Poll } from '../types';
import { optionLabel } from '../ui/Poll';
import { bars } from './logic';

// Class names, with a dash so the dictionary test does not take them for translation keys.
const TONE: Record<string, string> = { agree: 'tone-yes', disagree: 'tone-no', abstain: 'tone-abs' };

export function ResultChart({ poll, big = false }: { poll: Poll; big?: boolean }) {
  const { bars: list, scale, total } = bars(poll.results);
  return (
    <figure class={`chart${big ? ' big' : ''}`} data-testid="result-chart" aria-label={t('chair.poll.chart', { title: poll.title })}>
      {poll.outcome && (
        <p class={`chart-outcome oc-${poll.outcome}`} data-testid="chart-outcome">{t(`outcome.${poll.outcome}` as Key)}</p>
      )}
      <ul class="chart-bars">
        {list.map((b, i) => (
          <li key={b.option} class={(poll.kind === 'motion' && TONE[b.option]) || `tone-c${i % 6}`}>
            <span class="chart-label">{optionLabel(poll, poll.options.find((o) => o.id === b.option), b.option)}</span>
            <span class="chart-track" role="img" aria-label={t('chair.poll.barLabel', { n: b.value, pct: b.pct })}>
              <span class="chart-fill" style={{ width: `${(b.len * 100).toFixed(2)}%` }} />
            </span>
            <span class="chart-n" data-testid="chart-n">{b.value}</span>
            <span class="chart-pct">{total > 0 ? `${b.pct}%` : '–'}</span>
          </li>
        ))}
      </ul>
      <figcaption class="chart-foot">
        <span>{t('chair.poll.turnout', { voted: poll.voted, eligible: poll.eligible })}</span>
        <span class="chart-scale" aria-hidden="true">0 … {scale}</span>
      </figcaption>
    </figure>
  );
}
