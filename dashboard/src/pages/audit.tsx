import type { AuditPage as AuditPageData } from '../../../src/web/api/contract.ts';
import { api, withQuery } from '../api.ts';
import { Page } from '../components/page.tsx';
import { PagedFooter } from '../components/paged-footer.tsx';
import { usePages } from '../data.ts';
import { words } from '../describe.ts';
import { useI18n, type I18n } from '../i18n.ts';

type Entry = AuditPageData['entries'][number];

/** Who changed what, newest first. */
export function AuditPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const pages = usePages<Entry>('audit', async (before, signal) => {
    const page = await api.get<AuditPageData>(
      withQuery('/api/audit', { before, limit: 50 }),
      signal,
    );
    return { items: page.entries, nextBefore: page.nextBefore };
  });

  return (
    <Page title={t('audit.title')} intro={t('audit.intro')}>
      <div class="table-scroll" role="region" aria-label={t('audit.title')} tabIndex={0}>
        <table>
          <caption class="visually-hidden">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.what')}</th>
              <th scope="col">{t('audit.target')}</th>
              <th scope="col">{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((entry) => (
              <tr key={entry.id}>
                <td>{i18n.dateTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>{words(i18n, 'audit', entry.action)}</td>
                <td translate={false}>{entry.target ?? '—'}</td>
                <td translate={false}>{entry.detail ? details(i18n, entry.detail) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PagedFooter
        pages={pages}
        shown={i18n.tn('count.entriesShown', pages.items.length)}
        empty={t('audit.none')}
      />
    </Page>
  );
}

function details(i18n: I18n, detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([name, value]) =>
      i18n.t('common.pair', {
        name,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      }),
    )
    .join(' · ');
}
