// Placeholder: the chair screen (issue 9) is being built.
import type { ScreenProps } from '../ui/App';
import { t } from '../i18n';

export function Chair(_: ScreenProps) {
  return <p class="muted pad">{t('common.loading')}</p>;
}
