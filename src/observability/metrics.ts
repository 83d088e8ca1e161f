import { Counter, Gauge, Histogram, Registry } from '@prometheus-io/client';
import type { Clock } from '../domain/clock.ts';
import { MICROS } from '../domain/types.ts';
import { budgetPeriods } from '../policy/budget-periods.ts';
import type { Tariff } from '../hotline/tariff.ts';
import type { QueueStats, StatsRepo } from '../storage/stats-repo.ts';

/**
 * Prometheus metrics. Counters count what this process saw; gauges are read from the database at
 * scrape time, so they agree across processes sharing one PostgreSQL.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly webhooks: Counter<'provider' | 'kind' | 'outcome'>;
  readonly webhookSeconds: Histogram<'provider' | 'kind'>;
  readonly decisions: Counter<'reason'>;

  constructor(
    stats: StatsRepo,
    clock: Clock,
    settings: { timeZone: string },
    tariff: () => Promise<Tariff>,
  ) {
    const registers = [this.registry];
    this.webhooks = new Counter({
      name: 'nonmerci_webhooks_total',
      help: 'Webhooks received, by provider, kind and outcome (recorded, duplicate, refused, failed).',
      labelNames: ['provider', 'kind', 'outcome'],
      registers,
    });
    this.webhookSeconds = new Histogram({
      name: 'nonmerci_webhook_duration_seconds',
      help: 'Time to verify, record and answer a webhook.',
      labelNames: ['provider', 'kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.decisions = new Counter({
      name: 'nonmerci_reply_decisions_total',
      help: 'Reply decisions taken by this process, by reason (sent, cooldown, destination_not_allowed, budget_exhausted, held…).',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'nonmerci_contacts',
      help: 'Calls and texts recorded, by kind.',
      labelNames: ['kind'],
      registers,
      async collect() {
        for (const [kind, n] of Object.entries(await stats.contactsByKind())) this.set({ kind }, n);
      },
    });
    // Three gauges read the same aggregates: one query per scrape, shared for a second.
    let cached: { at: number; value: Promise<QueueStats> } | null = null;
    const queue = () => {
      const now = Date.now();
      if (!cached || now - cached.at > 1000) cached = { at: now, value: stats.queue(clock.now()) };
      return cached.value;
    };
    new Gauge({
      name: 'nonmerci_replies',
      help: 'Replies by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries((await queue()).byState)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'nonmerci_replies_by_reason',
      help: 'Replies by last decision reason ("pending" when not yet decided).',
      labelNames: ['reason'],
      registers,
      async collect() {
        this.reset();
        for (const [reason, n] of Object.entries((await queue()).byReason)) this.set({ reason }, n);
      },
    });
    new Gauge({
      name: 'nonmerci_queue_due',
      help: 'Scheduled replies already due and waiting for a worker.',
      registers,
      async collect() {
        this.set((await queue()).dueNow);
      },
    });
    new Gauge({
      name: 'nonmerci_spend',
      help: 'SMS spend in the current day and month, committed (settled) and reserved (in flight), in currency units.',
      labelNames: ['period', 'kind'],
      registers,
      async collect() {
        const p = budgetPeriods(clock.now(), settings.timeZone);
        for (const [period, value] of [
          ['day', p.day],
          ['month', p.month],
        ] as const) {
          const s = await stats.spend(period, value);
          this.set({ period, kind: 'committed' }, s.committedMicros / MICROS);
          this.set({ period, kind: 'reserved' }, s.reservedMicros / MICROS);
        }
      },
    });
    new Gauge({
      name: 'nonmerci_budget_cap',
      help: 'Spend caps in currency units.',
      labelNames: ['period'],
      registers,
      async collect() {
        const t = await tariff();
        this.set({ period: 'day' }, t.dailyMicros / MICROS);
        this.set({ period: 'month' }, t.monthlyMicros / MICROS);
      },
    });
  }
}
