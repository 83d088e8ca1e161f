import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n.ts';
import { LanguageSwitch } from './language-switch.tsx';

/** The frame of the pages seen before signing in: name, language, and one narrow column. */
export function AuthFrame({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <>
      <a class="skip-link" href="#main">
        {t('layout.skip')}
      </a>
      <header class="site-header">
        <div class="header-bar">
          <span class="brand">nonmerci</span>
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" tabIndex={-1} class="auth-main">
        {children}
      </main>
    </>
  );
}
