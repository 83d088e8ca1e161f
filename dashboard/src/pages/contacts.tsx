import type { ContactPage } from '../../../src/web/api/contract.ts';
import { api, withQuery } from '../api.ts';
import {
  ContactFilters,
  filtersSearch,
  readFilters,
  type Filters,
} from '../components/contact-filters.tsx';
import { ContactItem } from '../components/contact-row.tsx';
import { Page } from '../components/page.tsx';
import { PagedFooter } from '../components/paged-footer.tsx';
import { usePages, useThrottledEffect } from '../data.ts';
import { useLive } from '../live.ts';
import { useI18n } from '../i18n.ts';
import { navigate, useLocation } from '../router.tsx';
import { dayStart, DAY_MS } from '../units.ts';

const PAGE_SIZE = 50;

/** The calls and texts received, newest first, with the evidence they may become. */
export function ContactsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { search } = useLocation();
  const filters = readFilters(search);
  // Moderators may not read the lines' settings: the overview's line states are enough here.
  const live = useLive();
  const lines = live.overview?.lines;

  // Dates depend on the hotline's time zone, known once the overview has arrived.
  const key = filters.from || filters.to ? `${search}|${i18n.timeZone}` : search;
  const pages = usePages(
    key,
    async (before, signal) => {
      const page = await api.get<ContactPage>(
        withQuery('/api/contacts', {
          ...apiFilters(filters, i18n.timeZone),
          before,
          limit: PAGE_SIZE,
        }),
        signal,
      );
      return { items: page.contacts, nextBefore: page.nextBefore };
    },
    (contact) => contact.id,
  );
  // New contacts arrive on top as the server announces them; the pages already read stay.
  useThrottledEffect(
    () => {
      if (live.newestContact > 0) pages.refreshTop();
    },
    [live.newestContact],
    1000,
  );

  return (
    <Page title={t('contacts.title')} intro={t('contacts.intro')}>
      <ContactFilters
        key={search}
        filters={filters}
        lines={lines ?? []}
        onApply={(next) => navigate(`/contacts${filtersSearch(next)}`)}
      />
      <ol class="timeline" aria-label={t('contacts.list')}>
        {pages.items.map((contact) => (
          <ContactItem
            key={contact.id}
            contact={contact}
            onChange={(updated) => pages.replace((c) => c.id === updated.id, updated)}
          />
        ))}
      </ol>
      <PagedFooter
        pages={pages}
        shown={i18n.tn('count.contactsShown', pages.items.length)}
        empty={t('contacts.none')}
      />
    </Page>
  );
}

/** The URL's filters as the API wants them: dates become instants in the hotline's time zone. */
function apiFilters(filters: Filters, timeZone: string | undefined) {
  const nextDay = (day: string) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return {
    q: filters.q,
    line: filters.line,
    label: filters.label,
    replied: filters.replied,
    reason: filters.reason,
    evidence: filters.evidence,
    from: filters.from ? dayStart(filters.from, timeZone) : null,
    to: filters.to ? dayStart(nextDay(filters.to), timeZone) - 1 : null,
  };
}
