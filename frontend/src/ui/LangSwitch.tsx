import { currentLang, LANGS, setLang, t } from '../i18n';

/** Switches the language: the button names the other one, in its own words. */
export function LangSwitch() {
  const other = LANGS.find((l) => l !== currentLang())!;
  return (
    <button class="btn lang" lang={other} title={t('lang.switch')} aria-label={t('lang.switch')} data-testid="lang" onClick={() => void setLang(other)}>
      <span class="long">{other === 'vi' ? 'Tiếng Việt' : 'English'}</span>
      <span class="short" aria-hidden="true">{other.toUpperCase()}</span>
    </button>
  );
}
