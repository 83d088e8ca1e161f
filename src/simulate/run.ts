import pino from 'pino';
import { DEFAULT_REPLY_DELAY_MS, type Config } from '../config/load.ts';
import { ManualClock } from '../domain/clock.ts';
import { formatDuration } from '../domain/duration.ts';
import type { Line } from '../domain/types.ts';
import { classifyNumber } from '../domain/phone.ts';
import { assemble, DEMO_LINE_NUMBER, type Hotline } from '../main.ts';
import { smsCost } from '../policy/cost.ts';
import { generateEvents, raidStartsAt } from './generate.ts';
import type { Scenario } from './scenario.ts';
import type { SimEvent, SimOutcome, SimReply, SimRole } from './types.ts';

const SECOND = 1000;
/** The monitor and the worker look this often on the virtual clock, as they would for real. */
const STEP_MS = 10 * SECOND;
/** After the last contact, keep stepping this long (covers the delay and the shield's rationing). */
const TAIL_MS = 6 * 3_600_000;

export interface ReplayOptions {
  /** Called now and then with the share of the scenario replayed (0–1). */
  onProgress?(share: number): void;
}

/**
 * Replays a scenario through the real pipeline: intake (classifier, rules, storage), the shield
 * monitor, the reply worker (policy, budget reservations, hourly slices) and the simulated phone
 * network, on a virtual clock, in a throwaway in-memory SQLite database, with the deployment's
 * settings. Nothing is sent and no alert leaves the process.
 */
export async function replay(
  scenario: Scenario,
  deployment: Config,
  options: ReplayOptions = {},
): Promise<SimOutcome> {
  const wallStart = performance.now();
  const config: Config = {
    ...deployment,
    database: { kind: 'sqlite', path: ':memory:' },
    twilio: null,
    hotline: { ...deployment.hotline, number: deployment.hotline.number ?? DEMO_LINE_NUMBER },
    replyDelayMs: deployment.replyDelayMs ?? DEFAULT_REPLY_DELAY_MS,
    alerts: {
      webhookUrl: null,
      smtpUrl: null,
      emailFrom: deployment.alerts.emailFrom,
      emailTo: [],
    },
    logLevel: 'silent',
  };
  const clock = new ManualClock(scenario.startMs);
  const hotline = await assemble(config, {
    lines: 'ensure',
    clock,
    log: pino({ level: 'silent' }),
    worker: { batchSize: 500 },
  });
  try {
    const events = generateEvents(scenario);
    await drive(hotline, clock, scenario.startMs, events, options);
    return await gather(hotline, scenario, config, events, performance.now() - wallStart);
  } finally {
    await hotline.close();
  }
}

/** The replay's line, which it ensures at start. */
function replayLine(h: Hotline): Line {
  if (!h.defaultLine) throw new Error('the replay starts without its line');
  return h.defaultLine;
}

async function drive(
  h: Hotline,
  clock: ManualClock,
  start: number,
  events: SimEvent[],
  options: ReplayOptions,
): Promise<void> {
  const line = replayLine(h).number;
  const lastEvent = start + (events.at(-1)?.at ?? 0);
  let next = 0;
  const step = async (t: number) => {
    clock.set(t);
    await h.shieldMonitor.tick();
    await h.worker.drain();
  };
  for (let t = start; t <= lastEvent + STEP_MS; t += STEP_MS) {
    while (next < events.length && start + events[next]!.at < t) {
      const e = events[next]!;
      clock.set(start + e.at);
      await h.intake.receive('simulator', {
        kind: e.kind,
        from: e.from,
        to: line,
        body: e.body,
        providerSid: `SIM-REPLAY-${next}`,
      });
      next++;
    }
    await step(t);
    if (next % 500 === 0) options.onProgress?.(next / Math.max(1, events.length));
  }
  // The tail: keep the clock moving until every reply is settled, stepping finely while the shield
  // may still change and jumping from one due reply to the next afterwards.
  let t = lastEvent + STEP_MS;
  const tailEnd = lastEvent + TAIL_MS;
  for (;;) {
    const due = await h.storage.db
      .selectFrom('replies')
      .select((eb) => eb.fn.min<number>('next_attempt_at').as('t'))
      .where('state', 'in', ['scheduled', 'sending'])
      .executeTakeFirst();
    if (due?.t === null || due?.t === undefined) break;
    t = t < tailEnd ? t + STEP_MS : Math.max(t + STEP_MS, Number(due.t));
    await step(t);
  }
  clock.set(t);
  options.onProgress?.(1);
}

async function gather(
  h: Hotline,
  scenario: Scenario,
  config: Config,
  events: SimEvent[],
  wallMs: number,
): Promise<SimOutcome> {
  const actors = new Map<string, { actor: string; role: SimRole }>();
  for (const e of events) {
    const key = classifyNumber(e.from).normalized;
    if (!actors.has(key)) actors.set(key, { actor: e.actor, role: e.role });
  }
  const rows = await h.storage.db
    .selectFrom('replies')
    .innerJoin('callers', 'callers.id', 'replies.caller_id')
    .select([
      'callers.number_enc',
      'callers.number_type',
      'callers.country',
      'replies.due_at',
      'replies.expires_at',
      'replies.created_at',
      'replies.sent_at',
      'replies.state',
      'replies.reason',
      'replies.cost_micros',
      'replies.reserved_micros',
    ])
    .execute();
  const replies: SimReply[] = rows.map((r) => {
    const who = actors.get(h.vault.decrypt(r.number_enc)) ?? { actor: 'unknown', role: 'ordinary' };
    return {
      actor: who.actor,
      role: who.role,
      destinationType: r.number_type,
      destinationCountry: r.country,
      scheduledAt: r.created_at,
      dueAt: r.due_at,
      expiresAt: r.expires_at,
      sentAt: r.state === 'sent' ? r.sent_at : null,
      reason: r.reason ?? r.state,
      costMicros: r.cost_micros ?? r.reserved_micros,
    };
  });
  const end = h.clock.now();
  const periods = await h.shield.periods(null, scenario.startMs, end + 1);
  const budgetRows = await h.storage.db.selectFrom('budget_periods').selectAll().execute();
  const budget = budgetRows
    .filter((b) => b.period.startsWith('day:') || b.period.startsWith('month:'))
    .map((b) => ({
      period: b.period,
      spentMicros: b.committed_micros + b.reserved_micros,
      capMicros: b.period.startsWith('day:')
        ? config.budget.dailyMicros
        : config.budget.monthlyMicros,
    }));
  const replyCost = smsCost(replayLine(h).replyText, config.segmentPriceMicros).costMicros;
  const s = config.shield;
  return {
    scenario: { name: scenario.name, description: scenario.description },
    targets: scenario.targets,
    settings: {
      replyDelayMs: replayLine(h).delayMs,
      currency: config.currency,
      segmentPriceMicros: config.segmentPriceMicros,
      replyCostMicros: replyCost,
      dailyCapMicros: config.budget.dailyMicros,
      monthlyCapMicros: config.budget.monthlyMicros,
      allowedCountries: config.allowedCountries,
      pollMs: STEP_MS,
      shield: {
        SHIELD_SURGE_CONTACTS: `${s.surgeContactsPerMinute}/min`,
        SHIELD_SURGE_NEW_CALLERS: `${s.surgeNewCallersPerMinute}/min`,
        SHIELD_SURGE_FACTOR: `×${s.surgeFactor}`,
        SHIELD_BASELINE: formatDuration(s.baselineMs),
        SHIELD_QUIET: formatDuration(s.quietMs),
        SHIELD_SLOW_WINDOW: formatDuration(s.slowWindowMs),
        SHIELD_SLOW_NEWCOMERS: String(s.slowNewcomers),
        SHIELD_PACING_FLOOR: `${s.pacingFloorPerHour}/h`,
        SHIELD_REPEAT_LIMIT: String(s.repeatLimit),
      },
    },
    start: scenario.startMs,
    end,
    raidStartsAt: raidStartsAt(scenario),
    events,
    replies,
    shieldPeriods: periods.map((p) => ({ from: p.startedAt, to: p.endedAt, trigger: p.trigger })),
    budget,
    wallMs,
  };
}
