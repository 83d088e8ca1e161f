import type { Language } from '../domain/types.ts';
import type {
  BundleEvent,
  BundleSummary,
  FlaggedText,
  ShieldSpan,
  TopSender,
} from './bundle/types.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The minute-by-minute chart covers at most this long: the busiest stretch of a longer period. */
const MINUTES_SPAN = 180;
const TOP_SENDERS = 20;
const THREATS_LISTED = 200;

export interface SummaryContext {
  from: number;
  to: number;
  generatedAt: number;
  exportedBy: string;
  timeZone: string;
  language: Language;
  currency: string;
  lines: string[];
  /** Price of one reply at the current tariff. */
  replyPriceMicros: number;
  shieldPeriods: ShieldSpan[];
  chain: BundleSummary['chain'];
  organisation?: BundleSummary['organisation'];
  /** Texts operators chose to quote in the report, oldest first. */
  quoted?: FlaggedText[];
}

/**
 * The figures of an evidence report, computed from the journal's events of the period only, so
 * the report says nothing the events file does not back up.
 */
export function summarise(events: readonly BundleEvent[], ctx: SummaryContext): BundleSummary {
  const firstHour = Math.floor(ctx.from / HOUR_MS) * HOUR_MS;
  const hours: BundleSummary['hours'] = [];
  for (let start = firstHour; start < ctx.to; start += HOUR_MS)
    hours.push({ start, calls: 0, texts: 0, replies: 0 });
  const hourOf = (at: number) => hours[Math.floor((at - firstHour) / HOUR_MS)];

  const senders = new Map<string, TopSender>();
  const labelCounts: Record<string, number> = {};
  const withheldByReason: Record<string, number> = {};
  const threats: FlaggedText[] = [];
  let threatsTotal = 0;
  let calls = 0;
  let texts = 0;
  let spentMicros = 0;
  let repliesSent = 0;

  for (const e of events) {
    if (e.kind === 'call' || e.kind === 'text') {
      const hour = hourOf(e.at);
      if (e.kind === 'call') {
        calls++;
        if (hour) hour.calls++;
      } else {
        texts++;
        if (hour) hour.texts++;
      }
      if (e.caller !== null) {
        const s = senders.get(e.caller) ?? {
          number: e.caller,
          calls: 0,
          texts: 0,
          labels: [],
          first: e.at,
          last: e.at,
        };
        if (e.kind === 'call') s.calls++;
        else s.texts++;
        for (const l of e.labels) if (!s.labels.includes(l)) s.labels.push(l);
        s.first = Math.min(s.first, e.at);
        s.last = Math.max(s.last, e.at);
        senders.set(e.caller, s);
      }
      for (const l of e.labels) labelCounts[l] = (labelCounts[l] ?? 0) + 1;
      if (e.labels.includes('threat')) {
        threatsTotal++;
        if (threats.length < THREATS_LISTED && e.text !== null)
          threats.push({
            at: e.at,
            number: e.caller ?? '',
            line: e.line ?? '',
            text: e.text,
            labels: e.labels,
          });
      }
      // Contacts that never scheduled a reply: the caller already had one, or said STOP.
      if (e.decision !== null && e.decision !== 'reply_scheduled')
        withheldByReason[e.decision] = (withheldByReason[e.decision] ?? 0) + 1;
    } else if (e.kind === 'reply') {
      if (e.decision === 'sent') {
        repliesSent++;
        spentMicros += e.costMicros ?? 0;
        const hour = hourOf(e.at);
        if (hour) hour.replies++;
      } else if (e.reason !== null) {
        withheldByReason[e.reason] = (withheldByReason[e.reason] ?? 0) + 1;
      }
    }
  }

  const minutes = busiestMinutes(events, ctx.from, ctx.to);
  const naiveMicros = (calls + texts) * ctx.replyPriceMicros;
  const topSenders = [...senders.values()]
    .sort((a, b) => b.calls + b.texts - (a.calls + a.texts) || a.first - b.first)
    .slice(0, TOP_SENDERS);
  return {
    organisation: ctx.organisation ?? null,
    generatedAt: ctx.generatedAt,
    exportedBy: ctx.exportedBy,
    from: ctx.from,
    to: ctx.to,
    timeZone: ctx.timeZone,
    language: ctx.language,
    currency: ctx.currency,
    lines: ctx.lines,
    calls,
    texts,
    distinctSenders: senders.size,
    hours,
    minutes,
    topSenders,
    labelCounts,
    threats,
    threatsTotal,
    quoted: [...(ctx.quoted ?? [])].sort((a, b) => a.at - b.at),
    money: {
      spentMicros,
      repliesSent,
      replyPriceMicros: ctx.replyPriceMicros,
      naiveMicros,
      avoidedMicros: Math.max(0, naiveMicros - spentMicros),
      withheldByReason,
    },
    shieldPeriods: ctx.shieldPeriods,
    chain: ctx.chain,
  };
}

/**
 * Contacts and replies minute by minute, over the whole period when it lasts three hours or less,
 * else over the three hours with the most contacts: a raid's pace, which an hourly chart flattens.
 * Empty when nothing arrived.
 */
export function busiestMinutes(
  events: readonly BundleEvent[],
  from: number,
  to: number,
): BundleSummary['minutes'] {
  const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  const count = Math.max(1, Math.ceil((to - first) / MINUTE_MS));
  const contacts = new Map<number, number>();
  for (const e of events)
    if ((e.kind === 'call' || e.kind === 'text') && e.at >= from && e.at < to) {
      const i = Math.floor((e.at - first) / MINUTE_MS);
      contacts.set(i, (contacts.get(i) ?? 0) + 1);
    }
  if (contacts.size === 0) return [];
  // The window of MINUTES_SPAN minutes holding the most contacts (the earliest among equals).
  let start = 0;
  if (count > MINUTES_SPAN) {
    const indexes = [...contacts.keys()].sort((a, b) => a - b);
    let best = -1;
    let sum = 0;
    let tail = 0;
    for (const i of indexes) {
      sum += contacts.get(i)!;
      while (indexes[tail]! <= i - MINUTES_SPAN) sum -= contacts.get(indexes[tail++]!)!;
      // The window starts at its first contact: the chart opens where the stretch begins.
      if (sum > best) {
        best = sum;
        start = Math.min(indexes[tail]!, count - MINUTES_SPAN);
      }
    }
  }
  const span = Math.min(count, MINUTES_SPAN);
  const bins = Array.from({ length: span }, (_, i) => ({
    start: first + (start + i) * MINUTE_MS,
    calls: 0,
    texts: 0,
    replies: 0,
  }));
  for (const e of events) {
    const bin = bins[Math.floor((e.at - first) / MINUTE_MS) - start];
    if (!bin || e.at < from || e.at >= to) continue;
    if (e.kind === 'call') bin.calls++;
    else if (e.kind === 'text') bin.texts++;
    else if (e.kind === 'reply' && e.decision === 'sent') bin.replies++;
  }
  return bins;
}
