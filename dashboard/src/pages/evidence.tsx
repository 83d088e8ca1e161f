import type { ComponentChildren } from 'preact';
import type { EvidenceOverview, LineDetail } from '../../../src/web/api/contract.ts';
import { ErrorAlert, Loading } from '../components/alerts.tsx';
import { ChainCheck } from '../components/chain-check.tsx';
import { EvidenceExport } from '../components/evidence-export.tsx';
import { FlagPeriodForm, HeldPeriods } from '../components/held-periods.tsx';
import { KeptCallers } from '../components/kept-callers.tsx';
import { OrganisationForm } from '../components/organisation-form.tsx';
import { Page, Section } from '../components/page.tsx';
import { useResource, type Resource } from '../data.ts';
import { useI18n, type I18n } from '../i18n.ts';

/**
 * Evidence for a complaint (admins): is the record intact, export a period as a bundle, and what
 * retention keeps (periods held, hostile callers) or erases, and when.
 */
export function EvidencePage() {
  const { t } = useI18n();
  const overview = useResource<EvidenceOverview>('/api/evidence');
  const lines = useResource<LineDetail[]>('/api/lines');
  const data = overview.data;
  // Shown at once, then read again: the server decides what is still kept.
  const changed = (change: (current: EvidenceOverview) => EvidenceOverview) => {
    overview.update(change);
    overview.reload();
  };

  return (
    <Page title={t('evidence.title')} intro={t('evidence.intro')}>
      <ErrorAlert error={overview.error} />
      <Section id="evidence-chain" title={t('evidence.chain')}>
        <ChainCheck />
      </Section>

      <Section id="evidence-organisation" title={t('organisation.title')}>
        <OrganisationForm />
      </Section>

      <Section id="evidence-export" title={t('evidence.export')}>
        <EvidenceExport lines={lines.data} onExported={overview.reload} />
      </Section>

      <Section id="evidence-holds" title={t('evidence.holds')}>
        <p>{t('evidence.holdsIntro')}</p>
        <Loaded resource={overview}>
          {data ? (
            <HeldPeriods
              holds={data.holds}
              onReleased={(id) =>
                changed((current) => ({
                  ...current,
                  holds: current.holds.filter((hold) => hold.id !== id),
                }))
              }
            />
          ) : null}
        </Loaded>
        <section class="subsection" aria-labelledby="evidence-flag">
          <h3 id="evidence-flag">{t('evidence.flag')}</h3>
          <FlagPeriodForm
            lines={lines.data}
            onFlagged={(hold) =>
              changed((current) => ({ ...current, holds: [hold, ...current.holds] }))
            }
          />
        </section>
      </Section>

      <Section id="evidence-callers" title={t('evidence.callers')}>
        <p>{t('evidence.callersIntro')}</p>
        <Loaded resource={overview}>
          {data ? (
            <KeptCallers
              callers={data.keptCallers}
              onReleased={(id) =>
                changed((current) => ({
                  ...current,
                  keptCallers: current.keptCallers.filter((caller) => caller.callerId !== id),
                }))
              }
            />
          ) : null}
        </Loaded>
      </Section>

      <Section id="evidence-retention" title={t('evidence.retention')}>
        <Loaded resource={overview}>{data ? <Retention overview={data} /> : null}</Loaded>
      </Section>
    </Page>
  );
}

/** The resource's content, or "loading" (a failure is shown once, at the top of the page). */
function Loaded<T>(props: { resource: Resource<T>; children: ComponentChildren }) {
  const { resource } = props;
  if (resource.data) return <>{props.children}</>;
  return resource.loading ? <Loading /> : null;
}

function Retention({ overview }: { overview: EvidenceOverview }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <>
      <p>
        {i18n.tn('evidence.retentionDays', overview.retentionDays)} {t('evidence.retentionKept')}
      </p>
      <p class="muted">{lastRun(i18n, overview.lastRetention)}</p>
    </>
  );
}

/** When retention last ran and what it erased, in one sentence. */
function lastRun(i18n: I18n, last: EvidenceOverview['lastRetention']): string {
  if (!last) return i18n.t('evidence.retentionNever');
  const time = i18n.dateTime(last.at);
  if (last.contacts === 0 && last.callers === 0)
    return i18n.t('evidence.lastRetentionNothing', { time });
  return i18n.t('evidence.lastRetention', {
    time,
    contacts: i18n.tn('count.erasedContacts', last.contacts),
    callers: i18n.tn('count.callers', last.callers),
  });
}
