import { useId } from 'preact/hooks';
import type { Language } from '../../../src/web/api/contract.ts';
import { LANGUAGE_NAMES, useI18n } from '../i18n.ts';

export function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  const id = useId();
  return (
    <div class="language-switch">
      <label for={id}>{t('layout.language')}</label>
      <select
        id={id}
        value={lang}
        onChange={(event) => setLang(event.currentTarget.value as Language)}
      >
        {(Object.keys(LANGUAGE_NAMES) as Language[]).map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
