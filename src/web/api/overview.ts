import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Line } from '../../domain/types.ts';
import { SHIELD_MODES } from '../../domain/types.ts';
import { NotFoundError } from '../../accounts/accounts.ts';
import { budgetPeriods } from '../../policy/budget-periods.ts';
import type { ShieldReason } from '../../policy/shield-reason.ts';
import type { Chart, LineState, Overview } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { flag, idParam, jsonBody, oneOf, query } from './input.ts';
import { actorOf, sessionTokenOf } from './session.ts';

export const CHART_BUCKET_MS = 10 * 60_000;
/** How soon a recorded contact reaches the open live streams (contacts arriving meanwhile join it). */
const CONTACT_FLUSH_MS = 200;
/** The live overview is rebuilt no sooner than this many times as long as its last build took. */
const BUILD_SHARE = 10;
const RANGES = { '3h': 3 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
/** The last hours minute by minute (a raid's shape), longer ranges by 10 minutes. */
const BUCKETS = { '3h': 60_000, '24h': CHART_BUCKET_MS, '7d': CHART_BUCKET_MS } as const;

export function lineState(line: Line, reason: ShieldReason | null = null): LineState {
  return {
    id: line.id,
    number: line.number,
    provider: line.provider,
    language: line.language,
    paused: line.paused,
    rejectCallsWhenPaused: line.rejectCallsWhenPaused,
    shield: {
      mode: line.shield.mode,
      active: line.shield.active,
      since: line.shield.since,
      reason: line.shield.active ? reason : null,
    },
  };
}

/** Everything on the overview at this instant; also what the live event stream sends. */
export async function buildOverview(deps: ApiDeps): Promise<Overview> {
  const now = deps.clock.now();
  const periods = budgetPeriods(now, deps.settings.timeZone);
  const [today, queue, lines, tariff, day, month, open] = await Promise.all([
    deps.dashboard.today(periods.dayStart),
    deps.dashboard.queue(),
    deps.lines.list(),
    deps.tariff.current(),
    deps.stats.spend('day', periods.day),
    deps.stats.spend('month', periods.month),
    deps.shield.periods(null, now, now + 1),
  ]);
  const why = new Map(open.filter((p) => p.endedAt === null).map((p) => [p.lineId, p.reason]));
  return {
    now,
    currency: deps.settings.currency,
    timeZone: deps.settings.timeZone,
    replyExpiryMs: deps.settings.replyExpiryMs,
    today: {
      contacts: today.calls + today.texts,
      calls: today.calls,
      texts: today.texts,
      repliesSent: today.repliesSent,
      recording: today.recording,
    },
    spend: {
      day: { spentMicros: day.committedMicros + day.reservedMicros, capMicros: tariff.dailyMicros },
      month: {
        spentMicros: month.committedMicros + month.reservedMicros,
        capMicros: tariff.monthlyMicros,
      },
    },
    queue,
    lines: lines.map((l) => lineState(l, why.get(l.id) ?? null)),
    raid: lines.some((l) => l.shield.active),
  };
}

export function overviewApi(deps: ApiDeps) {
  async function line(request: FastifyRequest): Promise<Line> {
    const found = await deps.lines.findById(idParam(request));
    if (!found) throw new NotFoundError('No such line.');
    return found;
  }

  // Every open stream of this process shares one overview per second, however many tabs are open.
  // Paced by wall time, not the injected clock: this is about database load, not hotline time.
  // One that takes long to build (a day of a hundred thousand contacts) is built less often, but
  // no more than the 900 ms of the streams' own pace apart: on SQLite a build holds the event
  // loop, and the webhooks wait.
  let shared: { at: number; json: Promise<string> } | null = null;
  let buildMs = 0;
  const snapshot = (maxAgeMs: number) => {
    const now = performance.now();
    const age = Math.max(maxAgeMs, Math.min(BUILD_SHARE * buildMs, 900));
    if (!shared || now - shared.at >= age) {
      shared = {
        at: now,
        json: buildOverview(deps).then((o) => {
          buildMs = performance.now() - now;
          return JSON.stringify(o);
        }),
      };
    }
    return shared.json;
  };

  return {
    overview: () => buildOverview(deps),

    chart: async (request: FastifyRequest): Promise<Chart> => {
      const asked = query(request, 'range');
      const range = asked === '7d' || asked === '3h' ? asked : '24h';
      const bucketMs = BUCKETS[range];
      const now = deps.clock.now();
      const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
      const from = end - RANGES[range];
      const [buckets, periods] = await Promise.all([
        deps.dashboard.buckets(from, bucketMs),
        deps.shield.periods(null, from, end),
      ]);
      const chart: Chart = {
        range,
        bucketMs,
        times: [],
        contacts: [],
        replies: [],
        spendMicros: [],
        shieldPeriods: periods.map((p) => ({ lineId: p.lineId, from: p.startedAt, to: p.endedAt })),
      };
      for (let t = from; t < end; t += bucketMs) {
        const r = buckets.replies.get(t);
        chart.times.push(t);
        chart.contacts.push(buckets.contacts.get(t) ?? 0);
        chart.replies.push(r?.count ?? 0);
        chart.spendMicros.push(r?.spendMicros ?? 0);
      }
      return chart;
    },

    pause: async (request: FastifyRequest): Promise<LineState> => {
      const body = jsonBody(request);
      const target = await line(request);
      await deps.lines.setPaused(target.id, flag(body, 'paused'), deps.clock.now(), {
        rejectCalls: flag(body, 'rejectCalls', true) ?? false,
        actor: actorOf(request),
      });
      return lineState((await deps.lines.findById(target.id)) ?? target);
    },

    shield: async (request: FastifyRequest): Promise<LineState> => {
      const body = jsonBody(request);
      const target = await line(request);
      const mode = oneOf(body, 'mode', SHIELD_MODES)!;
      await deps.shield.setMode(target.id, mode, actorOf(request), deps.clock.now());
      const updated = (await deps.lines.findById(target.id)) ?? target;
      await deps.applyShield(updated);
      return lineState((await deps.lines.findById(target.id)) ?? updated);
    },

    /**
     * Server-sent events: the overview at once, then again whenever it changes. A contact this
     * process records is announced within CONTACT_FLUSH_MS (`event: contacts`, how many and the
     * newest id, never who), with a fresh overview; changes made by other processes sharing the
     * database show at the next look, every second. A comment line every 20 s keeps proxies from
     * closing an idle stream. A client that reads too slowly is sent nothing more until it has
     * caught up (the next overview tells it all it missed): a flood never piles up in memory.
     */
    events: (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // A HEAD request gets the headers only: nothing would ever flush them otherwise.
      if (request.method === 'HEAD') {
        res.end();
        return Promise.resolve();
      }
      res.write('retry: 3000\n\n');
      let last = '';
      let busy = false;
      let again = false;
      let beats = 0;
      const token = sessionTokenOf(request);
      const send = (chunk: string) => {
        if (!res.writableNeedDrain) res.write(chunk);
      };
      const push = async (fresh = false) => {
        if (busy) {
          again ||= fresh;
          return;
        }
        busy = true;
        try {
          // A user signed out, deleted or whose password was reset stops receiving at once.
          if (!(await deps.accounts.authenticate(token))) {
            res.end();
            return;
          }
          const json = await snapshot(fresh ? CONTACT_FLUSH_MS : 900);
          // `now` changes every time; compare the rest.
          const key = json.replace(/^\{"now":\d+,/, '{');
          if (key !== last) {
            last = key;
            send(`event: overview\ndata: ${json}\n\n`);
          } else if (++beats % 20 === 0) send(': still here\n\n');
        } catch (error) {
          request.log.error({ err: error }, 'could not build the live overview');
        } finally {
          busy = false;
          if (again) {
            again = false;
            void push(true);
          }
        }
      };
      let recorded = 0;
      let newest = 0;
      let flush: NodeJS.Timeout | undefined;
      const unsubscribe = deps.onContact((event) => {
        if (event.duplicate) return;
        recorded++;
        newest = Math.max(newest, event.contactId);
        flush ??= setTimeout(() => {
          flush = undefined;
          send(`event: contacts\ndata: {"count":${recorded},"newest":${newest}}\n\n`);
          recorded = 0;
          void push(true);
        }, CONTACT_FLUSH_MS);
      });
      const timer = setInterval(() => void push(), 1000);
      void push();
      return new Promise((resolve) => {
        request.raw.on('close', () => {
          clearInterval(timer);
          clearTimeout(flush);
          unsubscribe();
          resolve();
        });
      });
    },
  };
}
