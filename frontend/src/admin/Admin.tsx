// Placeholder: the admin screen (issue 9) is being built.
import type { ScreenProps } from '../ui/App';
import { t } from '../i18n';

export function Admin(_: ScreenProps) {
  return <p class="muted pad">{t('common.loading')}</p>;
}
