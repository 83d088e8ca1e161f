import type { FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../domain/errors.ts';
import { budgetPeriods } from '../../policy/budget-periods.ts';
import type { Budget } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { jsonBody, whole } from './input.ts';
import { actorOf } from './session.ts';

const DAY = 86_400_000;

/** The last `count` local days ("2026-11-01") or months ("2026-11") up to now, oldest first. */
function recentPeriods(now: number, timeZone: string, kind: 'day' | 'month', count: number) {
  const keys = new Set<string>();
  // Step back by less than the shortest day (23 h at a DST change) or month, reading each instant's
  // local calendar, so no day or month is skipped.
  const step = kind === 'day' ? DAY / 4 : DAY * 7;
  for (let i = 0; keys.size < count && i < count * 40; i++)
    keys.add(budgetPeriods(now - i * step, timeZone)[kind]);
  return [...keys].slice(0, count).sort();
}

/** Price, caps and alert thresholds, with the spend history of the last 30 days and 12 months. */
export function budgetApi(deps: ApiDeps) {
  async function get(): Promise<Budget> {
    const now = deps.clock.now();
    const tz = deps.settings.timeZone;
    const tariff = await deps.tariff.current();
    const days = recentPeriods(now, tz, 'day', 30);
    const months = recentPeriods(now, tz, 'month', 12);
    const [daySpend, monthSpend, replies, source] = await Promise.all([
      deps.dashboard.spendOf('day', days),
      deps.dashboard.spendOf('month', months),
      deps.dashboard.repliesPerDay(days),
      deps.tariff.source(),
    ]);
    const current = budgetPeriods(now, tz);
    return {
      currency: deps.settings.currency,
      timeZone: tz,
      ...tariff,
      source,
      spend: {
        day: { spentMicros: daySpend.get(current.day) ?? 0, capMicros: tariff.dailyMicros },
        month: { spentMicros: monthSpend.get(current.month) ?? 0, capMicros: tariff.monthlyMicros },
      },
      days: days.map((day) => ({
        day,
        spentMicros: daySpend.get(day) ?? 0,
        replies: replies.get(day) ?? 0,
      })),
      months: months.map((month) => ({ month, spentMicros: monthSpend.get(month) ?? 0 })),
    };
  }

  return {
    get,
    update: async (request: FastifyRequest): Promise<Budget> => {
      const body = jsonBody(request);
      const money = { min: 0, max: Number.MAX_SAFE_INTEGER };
      const thresholds = body.alertThresholds;
      if (!Array.isArray(thresholds))
        throw new InvalidInputError(
          '"alertThresholds" must be a list of percentages, e.g. [50, 80, 100].',
          {
            field: 'alertThresholds',
          },
        );
      await deps.tariff.update(
        {
          segmentPriceMicros: whole(body, 'segmentPriceMicros', money)!,
          dailyMicros: whole(body, 'dailyMicros', money)!,
          monthlyMicros: whole(body, 'monthlyMicros', money)!,
          alertThresholds: thresholds as number[],
        },
        actorOf(request),
      );
      return get();
    },
  };
}
