import type { LineDetail } from '../../../src/web/api/contract.ts';
import { ErrorAlert, Loading } from '../components/alerts.tsx';
import { LineForm } from '../components/line-form.tsx';
import { Page } from '../components/page.tsx';
import { useResource } from '../data.ts';
import { useI18n } from '../i18n.ts';

export function LinesPage() {
  const { t } = useI18n();
  const lines = useResource<LineDetail[]>('/api/lines');
  return (
    <Page title={t('lines.title')} intro={t('lines.intro')}>
      <ErrorAlert error={lines.error} />
      {lines.data ? (
        lines.data.map((line) => <LineForm key={line.id} line={line} />)
      ) : lines.loading ? (
        <Loading />
      ) : null}
    </Page>
  );
}
