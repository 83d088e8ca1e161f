import type { Language } from '../domain/types.ts';
import type {
  BundleEvent,
  BundleSummary,
  FlaggedText,
  ShieldSpan,
  TopSender,
} from './bundle/types.ts';

const HOUR_MS = 3_600_000;
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
    topSenders,
    labelCounts,
    threats,
    threatsTotal,
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
