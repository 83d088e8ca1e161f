import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chart } from '../../../src/web/api/contract.ts';
import { useResource } from '../data.ts';
import { useI18n, type I18n } from '../i18n.ts';
import { useLive } from '../live.ts';
import { ActivityChart, CHART_COLORS } from './activity-chart.tsx';
import { ErrorAlert, Loading } from './alerts.tsx';

type Range = Chart['range'];

const REFRESH_MS = 60_000;
/** During a raid new contacts arrive every second: redraw at most this often. */
const MIN_REFRESH_MS = 15_000;
const HOUR_MS = 3_600_000;

/** The activity chart with its range switch, legend, written summary and table of figures. */
export function ActivityPanel() {
  const i18n = useI18n();
  const { t } = i18n;
  const { overview } = useLive();
  const [range, setRange] = useState<Range>('24h');
  const chart = useResource<Chart>(`/api/overview/chart?range=${range}`);
  useRefresh(chart.reload, overview?.today.contacts);

  const currency = overview?.currency ?? 'EUR';
  return (
    <div class="activity">
      <div class="segmented" role="group" aria-label={t('chart.range')}>
        {(['3h', '24h', '7d'] as const).map((value) => (
          <button
            key={value}
            type="button"
            class="button"
            aria-pressed={range === value}
            onClick={() => setRange(value)}
          >
            {t(`chart.${value}`)}
          </button>
        ))}
      </div>
      <ul class="legend">
        <li>
          <span class="swatch" style={{ background: CHART_COLORS.contacts }} />
          {t('chart.contacts')}
        </li>
        <li>
          <span class="swatch" style={{ background: CHART_COLORS.replies }} />
          {t('chart.replies')}
        </li>
        <li>
          <span class="swatch swatch-dashed" style={{ borderColor: CHART_COLORS.spend }} />
          {t('chart.spendRight')}
        </li>
        <li>
          <span class="swatch swatch-shield" />
          {t('chart.shield')}
        </li>
      </ul>
      <ErrorAlert error={chart.error} />
      {chart.data ? (
        <>
          <p class="chart-summary">{summary(i18n, chart.data, currency)}</p>
          <p class="hint">{t('chart.zoomHint')}</p>
          <ActivityChart chart={chart.data} currency={currency} />
          <ChartTable chart={chart.data} currency={currency} />
        </>
      ) : chart.loading ? (
        <Loading />
      ) : null}
    </div>
  );
}

/** Reload every minute, and soon after new contacts arrive (but not more than every 15 s). */
function useRefresh(reload: () => void, contacts: number | undefined) {
  const last = useRef(Date.now());
  const timer = useRef<number | undefined>(undefined);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;

  const refresh = () => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    last.current = Date.now();
    reloadRef.current();
  };

  useEffect(() => {
    const interval = window.setInterval(refresh, REFRESH_MS);
    return () => {
      window.clearInterval(interval);
      window.clearTimeout(timer.current);
    };
  }, []);

  const seen = useRef(contacts);
  useEffect(() => {
    if (contacts === undefined || seen.current === undefined || contacts <= seen.current) {
      seen.current = contacts;
      return;
    }
    seen.current = contacts;
    const wait = last.current + MIN_REFRESH_MS - Date.now();
    if (wait <= 0) refresh();
    else timer.current ??= window.setTimeout(refresh, wait);
  }, [contacts]);
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function summary(i18n: I18n, chart: Chart, currency: string): string {
  return i18n.t(`chart.summary${chart.range}`, {
    contacts: i18n.tn('count.contacts', sum(chart.contacts)),
    replies: i18n.tn('count.replies', sum(chart.replies)),
    spend: i18n.money(sum(chart.spendMicros), currency),
    shield: i18n.tn('count.shieldPeriods', chart.shieldPeriods.length),
  });
}

interface Row {
  label: string;
  contacts: number;
  replies: number;
  spendMicros: number;
}

/** The chart's figures by hour (last 12 hours) or by day (last 7 days), newest first. */
function ChartTable({ chart, currency }: { chart: Chart; currency: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const byHour = chart.range !== '7d';
  const rows: Row[] = [];
  let key: string | number | null = null;
  for (const [index, at] of chart.times.entries()) {
    const next = byHour ? Math.floor(at / HOUR_MS) : i18n.date(at);
    if (next !== key) {
      key = next;
      rows.push({
        label: byHour ? i18n.time(at) : i18n.date(at),
        contacts: 0,
        replies: 0,
        spendMicros: 0,
      });
    }
    const row = rows.at(-1);
    if (!row) continue;
    row.contacts += chart.contacts[index] ?? 0;
    row.replies += chart.replies[index] ?? 0;
    row.spendMicros += chart.spendMicros[index] ?? 0;
  }
  const recent = rows.slice(byHour ? -12 : -7).reverse();
  return (
    <details class="chart-table">
      <summary>{t(byHour ? 'chart.tableHours' : 'chart.tableDays')}</summary>
      <div
        class="table-scroll"
        role="region"
        aria-label={t(byHour ? 'chart.tableHours' : 'chart.tableDays')}
        tabIndex={0}
      >
        <table>
          <caption class="visually-hidden">
            {t(byHour ? 'chart.tableHours' : 'chart.tableDays')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t(byHour ? 'chart.hourFrom' : 'chart.day')}</th>
              <th scope="col">{t('chart.contacts')}</th>
              <th scope="col">{t('chart.replies')}</th>
              <th scope="col">{t('chart.spend')}</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td>{i18n.number(row.contacts)}</td>
                <td>{i18n.number(row.replies)}</td>
                <td>{i18n.money(row.spendMicros, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
