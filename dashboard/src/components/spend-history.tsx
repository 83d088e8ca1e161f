import type { Budget } from '../../../src/web/api/contract.ts';
import { useI18n } from '../i18n.ts';

/** The last 30 days as bars against the daily cap, each bar also written out for screen readers. */
export function DailySpendBars({ budget }: { budget: Budget }) {
  const i18n = useI18n();
  const top = Math.max(budget.dailyMicros, ...budget.days.map((day) => day.spentMicros), 1);
  const capShare = (budget.dailyMicros / top) * 100;
  return (
    <figure class="bars-figure">
      <figcaption>{i18n.t('budget.daysCaption')}</figcaption>
      <div class="bars-frame">
        <span class="bars-cap" style={{ bottom: `${capShare}%` }} aria-hidden="true">
          {i18n.t('budget.capLine', { cap: i18n.money(budget.dailyMicros, budget.currency) })}
        </span>
        <ol class="bars">
          {budget.days.map((day, index) => {
            const share = (day.spentMicros / top) * 100;
            return (
              <li
                key={day.day}
                class={(budget.days.length - 1 - index) % 5 === 0 ? 'bar-labelled' : ''}
              >
                <span
                  class={`bar ${day.spentMicros >= budget.dailyMicros ? 'bar-full' : ''}`}
                  style={{ height: `${Math.max(share, day.spentMicros > 0 ? 1 : 0)}%` }}
                  aria-hidden="true"
                />
                <span class="bar-day" aria-hidden="true">
                  {i18n.day(day.day)}
                </span>
                <span class="visually-hidden">
                  {i18n.t('budget.dayLine', {
                    day: i18n.day(day.day),
                    spend: i18n.money(day.spentMicros, budget.currency),
                    replies: i18n.tn('count.replies', day.replies),
                  })}
                </span>
              </li>
            );
          })}
        </ol>
      </div>
    </figure>
  );
}

export function MonthlySpendTable({ budget }: { budget: Budget }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div class="table-scroll" role="region" aria-label={t('budget.monthsCaption')} tabIndex={0}>
      <table>
        <caption>{t('budget.monthsCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('budget.month')}</th>
            <th scope="col">{t('budget.spent')}</th>
            <th scope="col">{t('budget.ofCap')}</th>
          </tr>
        </thead>
        <tbody>
          {[...budget.months].reverse().map((month) => (
            <tr key={month.month}>
              <th scope="row">{i18n.month(month.month)}</th>
              <td>{i18n.money(month.spentMicros, budget.currency)}</td>
              <td>
                {budget.monthlyMicros > 0
                  ? `${i18n.number(Math.round((month.spentMicros / budget.monthlyMicros) * 100))} %`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
