import { useState } from 'preact/hooks';
import type {
  Chart,
  EvidenceExportRequest,
  RaidView,
  RuleRow,
} from '../../../src/web/api/contract.ts';
import { api } from '../api.ts';
import { useAction } from '../action.ts';
import { ActivityChart } from '../components/activity-chart.tsx';
import { ErrorAlert, Loading, Status } from '../components/alerts.tsx';
import { LineCard } from '../components/line-card.tsx';
import { Page, Section } from '../components/page.tsx';
import { useResource, useThrottledEffect } from '../data.ts';
import { callerText, words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useLive } from '../live.ts';
import { Link } from '../router.tsx';
import { saveFile } from '../save-file.ts';
import { useUser } from '../session.ts';

/**
 * The raid room: one line under pressure, counted since the shield woke up, with the switches to
 * pause it, keep the shield on and block numbers or whole ranges. Refreshed whenever the live
 * overview changes (within about a second of a contact).
 */
export function RaidPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { overview, newestContact } = useLive();
  const lines = overview?.lines ?? [];
  const [chosen, setChosen] = useState<number | null>(null);
  const line = lines.find((l) => l.id === chosen) ?? lines.find((l) => l.shield.active) ?? lines[0];
  const raid = useResource<RaidView>(line ? `/api/raid?line=${line.id}` : null);
  // Each change the live stream reports (a contact, a reply, a switch) brings fresh figures.
  useThrottledEffect(
    () => {
      if (overview && raid.data) raid.reload();
    },
    [overview, newestContact],
    1000,
  );
  return (
    <Page title={t('raidRoom.title')} intro={t('raidRoom.intro')}>
      {lines.length > 1 ? (
        <label class="field-inline">
          <span>{t('raidRoom.line')}</span>
          <select
            value={line?.id}
            onChange={(e) => setChosen(Number((e.target as HTMLSelectElement).value))}
          >
            {lines.map((l) => (
              <option key={l.id} value={l.id}>
                {l.number}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <ErrorAlert error={raid.error} />
      {raid.data ? <RaidBody view={raid.data} onChange={raid.reload} /> : <Loading />}
    </Page>
  );
}

function RaidBody({ view, onChange }: { view: RaidView; onChange: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { money, currency } = view;
  const live = useLive().overview?.lines.find((l) => l.id === view.line.id) ?? view.line;
  const user = useUser();
  const since = view.period
    ? view.period.to === null
      ? t('raidRoom.sinceOpen', { time: i18n.time(view.period.from) })
      : t('raidRoom.sinceClosed', { period: i18n.period(view.period.from, view.period.to) })
    : t('raidRoom.lastHour');
  const chart: Chart = {
    range: '24h',
    bucketMs: 60_000,
    times: view.minutes.times,
    contacts: view.minutes.contacts,
    replies: view.minutes.sent,
    spendMicros: view.minutes.sent.map((n) => n * money.replyMicros),
    shieldPeriods: view.period
      ? [{ lineId: view.line.id, from: view.period.from, to: view.period.to }]
      : [],
  };
  return (
    <>
      <p class="raid-window" data-testid="raid-window">
        {since}
      </p>
      <Section id="raid-now" title={t('raidRoom.now')}>
        <div class="tiles">
          <Tile
            label={t('raidRoom.contacts')}
            value={i18n.number(view.contacts)}
            raw={view.contacts}
            testId="raid-contacts"
            detail={i18n.tn('raidRoom.numbers', view.callers)}
            note={view.recording > 0 ? i18n.tn('overview.recording', view.recording) : null}
          />
          <Tile
            label={t('raidRoom.perMinute')}
            value={i18n.number(view.perMinute.now)}
            raw={view.perMinute.now}
            testId="raid-per-minute"
            detail={t('raidRoom.usual', { usual: i18n.number(view.perMinute.usual) })}
          />
          <Tile
            label={t('raidRoom.spent')}
            value={i18n.money(money.spentMicros, currency)}
            raw={money.spentMicros}
            testId="raid-spent"
            detail={t('raidRoom.replyCost', { cost: i18n.money(money.replyMicros, currency) })}
          />
          <Tile
            label={t('raidRoom.avoided')}
            value={i18n.money(money.avoidedMicros, currency)}
            raw={money.avoidedMicros}
            testId="raid-avoided"
            detail={t('raidRoom.avoidedDetail', {
              naive: i18n.money(money.naiveMicros, currency),
            })}
          />
        </div>
      </Section>
      <Section id="raid-chart" title={t('raidRoom.chart')}>
        <ActivityChart chart={chart} currency={currency} />
      </Section>
      <Section id="raid-line" title={t('raidRoom.switches')}>
        <LineCard line={live} />
        {user.role === 'admin' ? <ExportRaid view={view} /> : null}
      </Section>
      <Section id="raid-replies" title={t('raidRoom.replies')}>
        <Replies view={view} />
      </Section>
      <Section id="raid-senders" title={t('raidRoom.senders')}>
        <Senders view={view} onChange={onChange} />
      </Section>
      <Section id="raid-ranges" title={t('raidRoom.ranges')}>
        <Ranges view={view} onChange={onChange} />
      </Section>
      <Section id="raid-texts" title={t('raidRoom.texts')}>
        <Texts view={view} />
      </Section>
    </>
  );
}

/** One click: the evidence bundle of the window (the raid), as the Evidence page would make it. */
function ExportRaid({ view }: { view: RaidView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  const run = () =>
    action.run(async () => {
      const request: EvidenceExportRequest = {
        from: new Date(view.window.from).toISOString(),
        to: new Date(view.window.to + 1000).toISOString(),
        lineId: view.line.id,
        language: i18n.lang,
      };
      const file = await api.download('/api/evidence/export', request, 'nonmerci-raid.zip');
      saveFile(file.blob, file.fileName);
      return t('raidRoom.exported', { file: file.fileName });
    });
  return (
    <div class="raid-export">
      <button type="button" class="button" disabled={action.busy} onClick={() => void run()}>
        {t('raidRoom.export')}
      </button>
      <p class="hint">{t('raidRoom.exportHint')}</p>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
    </div>
  );
}

function Tile(props: {
  label: string;
  value: string;
  raw: number;
  detail: string;
  /** A second line, shown when there is something to add. */
  note?: string | null;
  testId: string;
}) {
  return (
    <div class="tile">
      <p class="tile-label">{props.label}</p>
      <p class="tile-value" data-testid={props.testId} data-value={props.raw}>
        {props.value}
      </p>
      <p class="tile-detail">{props.detail}</p>
      {props.note ? (
        <p class="tile-detail" data-testid={`${props.testId}-note`}>
          {props.note}
        </p>
      ) : null}
    </div>
  );
}

/** What became of the replies: each count with what it means for the men waiting for one. */
function Replies({ view }: { view: RaidView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const r = view.replies;
  const rows: [string, number, string][] = [
    ['sent', r.sent, t('raidRoom.repliesSent')],
    ['waiting', r.waiting, t('raidRoom.repliesWaiting')],
    ...Object.entries(r.held).map(([reason, n]): [string, number, string] => [
      `held-${reason}`,
      n,
      words(i18n, 'held', reason),
    ]),
    ...Object.entries(r.cancelled).map(([reason, n]): [string, number, string] => [
      `cancelled-${reason}`,
      n,
      words(i18n, 'reason', reason),
    ]),
    ...Object.entries(view.withoutReply).map(([outcome, n]): [string, number, string] => [
      `none-${outcome}`,
      n,
      words(i18n, 'outcome', outcome),
    ]),
    ['failed', r.failed, t('raidRoom.repliesFailed')],
  ];
  const shown = rows.filter(([, n]) => n > 0);
  if (!shown.length) return <p class="muted">{t('raidRoom.noContacts')}</p>;
  return (
    <ul class="plain-list" data-testid="raid-replies">
      {shown.map(([key, n, text]) => (
        <li key={key}>
          <strong>{i18n.number(n)}</strong> — {text}
        </li>
      ))}
    </ul>
  );
}

function Senders({ view, onChange }: { view: RaidView; onChange: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  if (!view.topSenders.length) return <p class="muted">{t('raidRoom.noContacts')}</p>;
  const block = (callerId: number, name: string) =>
    action.run(async () => {
      await api.post(`/api/callers/${callerId}/block`, { blocked: true });
      onChange();
      return t('raidRoom.blockedDone', { caller: name });
    });
  return (
    <>
      <ol class="raid-list" data-testid="raid-senders">
        {view.topSenders.map((s) => {
          const name = callerText(i18n, s.caller, s.nickname);
          return (
            <li key={s.callerId}>
              <Link href={`/callers/${s.callerId}`}>{name}</Link>
              <span>{i18n.tn('raidRoom.contactCount', s.contacts)}</span>
              <span class="muted">{t('raidRoom.lastAt', { time: i18n.time(s.lastAt) })}</span>
              {s.blocked ? (
                <span class="badge badge-danger">{t('contact.blocked')}</span>
              ) : s.caller === 'withheld' ? null : (
                <button
                  type="button"
                  class="button button-small"
                  disabled={action.busy}
                  onClick={() => void block(s.callerId, name)}
                >
                  {t('raidRoom.block')}
                  <span class="visually-hidden"> {name}</span>
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
    </>
  );
}

function Ranges({ view, onChange }: { view: RaidView; onChange: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  if (!view.topRanges.length) return <p class="muted">{t('raidRoom.noRanges')}</p>;
  const block = (prefix: string, shown: string) =>
    action.run(async () => {
      await api.post<RuleRow>('/api/rules', { kind: 'block_prefix', value: prefix });
      onChange();
      return t('raidRoom.rangeBlockedDone', { range: shown });
    });
  return (
    <>
      <p class="muted">{t('raidRoom.rangesHint')}</p>
      <ol class="raid-list" data-testid="raid-ranges">
        {view.topRanges.map((r) => (
          <li key={r.prefix}>
            <span class="range">{r.shown}</span>
            <span>
              {i18n.tn('raidRoom.contactCount', r.contacts)} ·{' '}
              {i18n.tn('raidRoom.numbers', r.callers)}
            </span>
            {r.blocked ? (
              <span class="badge badge-danger">{t('contact.blocked')}</span>
            ) : (
              <button
                type="button"
                class="button button-small"
                disabled={action.busy}
                onClick={() => void block(r.prefix, r.shown)}
              >
                {t('raidRoom.blockRange')}
                <span class="visually-hidden"> {r.shown}</span>
              </button>
            )}
          </li>
        ))}
      </ol>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
    </>
  );
}

/** The texts received most often, blurred until an operator chooses to read them. */
function Texts({ view }: { view: RaidView }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [shown, setShown] = useState(false);
  if (!view.commonTexts.length) return <p class="muted">{t('raidRoom.noTexts')}</p>;
  return (
    <>
      <button
        type="button"
        class="button button-small"
        aria-pressed={shown}
        onClick={() => setShown(!shown)}
      >
        {t(shown ? 'raidRoom.hideTexts' : 'raidRoom.showTexts')}
      </button>
      <ol class="raid-list" data-testid="raid-texts">
        {view.commonTexts.map((m, i) => (
          <li key={i}>
            <span
              class={shown ? 'raid-text' : 'raid-text blurred'}
              aria-hidden={!shown}
              translate={false}
            >
              {shown ? m.text : '▆▆▆ ▆▆▆▆▆ ▆▆'}
            </span>
            <span>{i18n.tn('raidRoom.times', m.count)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
