import type { Overview } from '../../../src/web/api/contract.ts';
import { ActivityPanel } from '../components/activity-panel.tsx';
import { ErrorAlert, Loading } from '../components/alerts.tsx';
import { SpendGauge } from '../components/gauge.tsx';
import { LineCard } from '../components/line-card.tsx';
import { Page, Section } from '../components/page.tsx';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useLive } from '../live.ts';

/** What is happening now, live from the server's events, and the emergency switches. */
export function OverviewPage() {
  const { t } = useI18n();
  const { overview, error } = useLive();
  return (
    <Page title={t('overview.title')}>
      {overview ? (
        <OverviewBody overview={overview} />
      ) : error ? (
        <ErrorAlert error={error} />
      ) : (
        <Loading />
      )}
    </Page>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { today, spend, queue, currency } = overview;
  const held = Object.entries(queue.heldByReason).filter(([, count]) => count > 0);
  return (
    <>
      <Section id="today" title={t('overview.today')}>
        <div class="tiles">
          <div class="tile">
            <p class="tile-label">{t('overview.contactsToday')}</p>
            <p class="tile-value" data-testid="contacts-today" data-value={today.contacts}>
              {i18n.number(today.contacts)}
            </p>
            <p class="tile-detail">
              {i18n.tn('count.calls', today.calls)}, {i18n.tn('count.texts', today.texts)}
            </p>
            {today.recording > 0 ? (
              <p class="tile-detail" data-testid="contacts-recording">
                {i18n.tn('overview.recording', today.recording)}
              </p>
            ) : null}
          </div>
          <div class="tile">
            <p class="tile-label">{t('overview.repliesToday')}</p>
            <p class="tile-value" data-testid="replies-today" data-value={today.repliesSent}>
              {i18n.number(today.repliesSent)}
            </p>
            <p class="tile-detail">{t('overview.repliesDetail')}</p>
          </div>
        </div>
      </Section>

      <Section id="money" title={t('overview.money')}>
        <div class="gauges">
          <SpendGauge label={t('gauge.day')} gauge={spend.day} currency={currency} />
          <SpendGauge label={t('gauge.month')} gauge={spend.month} currency={currency} />
        </div>
      </Section>

      <Section id="queue" title={t('overview.queue')}>
        <p>
          {i18n.tn('count.waiting', queue.waiting)} · {i18n.tn('count.held', queue.held)}
        </p>
        {held.length ? (
          <ul class="plain-list">
            {held.map(([reason, count]) => (
              <li key={reason}>
                <strong>{i18n.number(count)}</strong> — {words(i18n, 'held', reason)}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>

      <Section id="lines" title={t('overview.lines')}>
        <div class="line-cards">
          {overview.lines.map((line) => (
            <LineCard key={line.id} line={line} />
          ))}
        </div>
      </Section>

      <Section id="activity" title={t('overview.activity')}>
        <ActivityPanel />
      </Section>
    </>
  );
}
