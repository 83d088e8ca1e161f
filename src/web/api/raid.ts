import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../accounts/accounts.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import type { Line } from '../../domain/types.ts';
import { smsCost } from '../../policy/cost.ts';
import { formatRange } from '../../domain/number-range.ts';
import type { RaidView } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { queryNumber } from './input.ts';
import { lineState } from './overview.ts';
import { shownCaller } from './shown-caller.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The chart starts this long before the window, so that the surge shows against what came before. */
const LEAD_MS = 30 * MINUTE;
const MAX_CHART_MS = 6 * HOUR;
const TOP = 10;
/** A raid view that cost less CPU than this to build is built again for every request. */
const SLOW_BUILD_MS = 50;
const MAX_REUSE_MS = 5_000;

/** The raid view: everything an operator needs to follow and fight a flood on one line. */
export function raidApi(deps: ApiDeps) {
  /** The window: an open shield period, the last one of the past day, or the last hour. */
  async function windowOf(line: Line, now: number, from: number | undefined) {
    const periods = await deps.shield.periods(line.id, now - DAY, now + 1);
    const last = periods.at(-1) ?? null;
    if (from !== undefined) {
      if (from >= now)
        throw new InvalidInputError('"from" must be in the past.', { field: 'from' });
      const period = periods.find((p) => p.startedAt === from) ?? null;
      return { from, to: period?.endedAt ?? now, period };
    }
    if (last) return { from: last.startedAt, to: last.endedAt ?? now, period: last };
    return { from: now - HOUR, to: now, period: null };
  }

  // Views being built or built lately, by line and window, shared by every open raid room.
  const built = new Map<string, { at: number; buildMs: number | null; view: Promise<RaidView> }>();

  return {
    /**
     * The raid view. A view costly to build (a window of a hundred thousand contacts: on SQLite
     * the event loop, and the webhooks, wait meanwhile) is shared by the requests that follow for
     * ten times as long as it took, five seconds at most: building it never takes more than about
     * a tenth of the server's time, however many rooms are open. Its cost is the process's CPU
     * while it was built (a flood answered meanwhile counts too: the busier the server, the longer
     * a view is shared); one that cost less than SLOW_BUILD_MS is never reused, whatever the wait
     * for the database. Requests arriving while one is built wait for it.
     */
    view: async (request: FastifyRequest): Promise<RaidView> => {
      const lineId = queryNumber(request, 'line');
      const from = queryNumber(request, 'from');
      const key = `${lineId ?? ''} ${from ?? ''}`;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const last = built.get(key);
      if (
        last &&
        (last.buildMs === null ||
          (last.buildMs >= SLOW_BUILD_MS &&
            started - last.at < Math.min(last.buildMs * 10, MAX_REUSE_MS)))
      )
        return last.view;
      if (built.size >= 64) built.clear();
      const entry = {
        at: started,
        buildMs: null as number | null,
        view: buildView(lineId, from).then(
          (view) => {
            const used = process.cpuUsage(cpu);
            entry.buildMs = (used.user + used.system) / 1000;
            return view;
          },
          (error: unknown) => {
            built.delete(key);
            throw error;
          },
        ),
      };
      built.set(key, entry);
      return entry.view;
    },
  };

  async function buildView(
    lineId: number | undefined,
    fromAsked: number | undefined,
  ): Promise<RaidView> {
    const lines = await deps.lines.list();
    const line = lineId === undefined ? lines[0] : lines.find((l) => l.id === lineId);
    if (!line) throw new NotFoundError('No such line.');
    const now = deps.clock.now();
    const { from, to, period } = await windowOf(line, now, fromAsked);
    const end = to + 1;
    const chartFrom = Math.max(from - LEAD_MS, now - MAX_CHART_MS);
    const chartStart = Math.floor(chartFrom / MINUTE) * MINUTE;
    const [counts, lastMinute, week, perMinute, sentPerMinute, replies, without, spent] =
      await Promise.all([
        deps.raid.counts(line.id, from, end),
        deps.raid.counts(line.id, now - MINUTE, now + 1),
        deps.raid.counts(line.id, from - 7 * DAY, from),
        deps.raid.perBucket(line.id, chartStart, now + 1, MINUTE),
        deps.raid.sentPerBucket(line.id, chartStart, now + 1, MINUTE),
        deps.raid.replies(line.id, from, end),
        deps.raid.withoutReply(line.id, from, end),
        deps.raid.spent(line.id, from, end),
      ]);
    const [senders, ranges, texts, tariff, rules] = await Promise.all([
      deps.raid.topSenders(line.id, from, end, TOP),
      deps.raid.topRanges(line.id, from, end, TOP),
      deps.raid.commonTexts(line.id, from, end, TOP),
      deps.tariff.current(),
      deps.rules.list(),
    ]);
    const minutes: RaidView['minutes'] = { times: [], contacts: [], sent: [] };
    for (let t = chartStart; t <= now; t += MINUTE) {
      minutes.times.push(t);
      minutes.contacts.push(perMinute.get(t) ?? 0);
      minutes.sent.push(sentPerMinute.get(t) ?? 0);
    }
    const tally: RaidView['replies'] = {
      sent: 0,
      waiting: 0,
      held: {},
      cancelled: {},
      failed: 0,
    };
    for (const r of replies) {
      if (r.state === 'sent') tally.sent += r.count;
      else if (r.state === 'failed') tally.failed += r.count;
      else if (r.state === 'cancelled') {
        const why = r.reason ?? 'cancelled';
        tally.cancelled[why] = (tally.cancelled[why] ?? 0) + r.count;
      } else if (r.reason === null) tally.waiting += r.count;
      else tally.held[r.reason] = (tally.held[r.reason] ?? 0) + r.count;
    }
    const blockedPrefixes = rules.filter((r) => r.kind === 'block_prefix').map((r) => r.value);
    const replyMicros = smsCost(line.replyText, tariff.segmentPriceMicros).costMicros;
    const naiveMicros = counts.contacts * replyMicros;
    return {
      now,
      currency: deps.settings.currency,
      timeZone: deps.settings.timeZone,
      line: lineState(line, period && period.endedAt === null ? period.reason : null),
      window: { from, to },
      period: period ? { from: period.startedAt, to: period.endedAt, reason: period.reason } : null,
      contacts: counts.contacts,
      recording: counts.recording,
      callers: counts.callers,
      perMinute: {
        now: lastMinute.contacts,
        usual: Math.round((week.contacts / (7 * 24 * 60)) * 100) / 100,
      },
      minutes,
      replies: tally,
      withoutReply: Object.fromEntries(without),
      money: {
        replyMicros,
        spentMicros: spent.micros,
        naiveMicros,
        avoidedMicros: Math.max(0, naiveMicros - spent.micros),
      },
      topSenders: senders.map((s) => ({
        callerId: s.callerId,
        ...shownCaller(deps.vault, s.numberType, s.numberEnc),
        contacts: s.contacts,
        lastAt: s.lastAt,
        blocked: s.blocked,
      })),
      topRanges: ranges.map((r) => {
        const prefix = deps.vault.decrypt(r.sampleEnc).slice(0, -2);
        return {
          prefix,
          shown: formatRange(prefix),
          contacts: r.contacts,
          callers: r.callers,
          blocked: blockedPrefixes.some((p) => prefix.startsWith(p)),
        };
      }),
      commonTexts: texts,
    };
  }
}
