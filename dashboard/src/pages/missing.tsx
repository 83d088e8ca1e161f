import { Page } from '../components/page.tsx';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <Page title={t('missing.title')}>
      <p>
        {t('missing.body')} <Link href="/">{t('missing.home')}</Link>
      </p>
    </Page>
  );
}

/** An administrators' page opened by a moderator (from a shared link, say). */
export function ForbiddenPage() {
  const { t } = useI18n();
  return (
    <Page title={t('forbidden.title')}>
      <p>
        {t('forbidden.body')} <Link href="/">{t('missing.home')}</Link>
      </p>
    </Page>
  );
}
