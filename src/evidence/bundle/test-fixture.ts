import { busiestMinutes } from '../summary.ts';
import canonicalize from 'canonicalize';
import { entryHash, sha256Hex } from '../chain.ts';
import type {
  BundleEvent,
  BundleInput,
  BundleSummary,
  FlaggedText,
  HourCount,
  TopSender,
} from './types.ts';

/**
 * A realistic evidence export for tests: six hours of a raid on one line (Paris, 1 November 2026,
 * 17:00–23:00 local), a few hundred calls and texts from fictional numbers (ARCEP's +33 6 39 98
 * range), the hostile texts a bundle must survive, a withheld caller and an erased entry. Contents
 * are canonical JSON hashed like the journal does, and entries are chained with the real chain code.
 */

export const LINE = '+33939000000';
export const FROM = Date.UTC(2026, 10, 1, 16, 0);
export const TO = Date.UTC(2026, 10, 1, 22, 0);
export const GENERATED_AT = Date.UTC(2026, 10, 1, 22, 5, 12, 345);
const HOUR = 3_600_000;
const REPLY_PRICE = 80_000;

export const SCRIPT_TEXT = '<script>alert(1)</script> tu vas voir';
export const FORMULA_TEXT = '=HYPERLINK("http://evil.example/","cliquez ici")';
export const ACCENTS_TEXT = 'Tu crois que ça va s’arrêter ? Élodie, on sait où tu es 😈';

/** Deterministic pseudo-random numbers, so the fixture is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Draft {
  at: number;
  kind: BundleEvent['kind'];
  caller: string | null;
  text: string | null;
  labels: string[];
  decision: string | null;
  reason: string | null;
  actor: string | null;
  costMicros: number | null;
  erase?: boolean;
}

const INSULTS = ['Sale féministe', 'Réponds connasse', 'T’es qui toi ?', 'ahah', 'Salut ma belle'];

function drafts(): Draft[] {
  const rnd = random(2017);
  const senders = Array.from(
    { length: 60 },
    (_, i) => `+33639980${String(100 + i).padStart(3, '0')}`,
  );
  const replied = new Set<string>();
  const out: Draft[] = [];
  for (let i = 0; i < 320; i++) {
    // The raid builds up over the first two hours, then fades.
    const at = FROM + Math.floor(((i / 320) ** 1.8 + rnd() * 0.01) * (TO - FROM - 60_000));
    const caller = senders[Math.floor(rnd() ** 2 * senders.length)] ?? '+33639980100';
    const kind = rnd() < 0.45 ? 'call' : 'text';
    const text = kind === 'text' ? (INSULTS[Math.floor(rnd() * INSULTS.length)] ?? '') : null;
    const labels =
      text === null ? [] : rnd() < 0.08 ? ['threat', 'insult'] : rnd() < 0.6 ? ['insult'] : [];
    const first = !replied.has(caller);
    replied.add(caller);
    out.push({
      at,
      kind,
      caller,
      text,
      labels,
      decision: first ? 'reply_scheduled' : 'cooldown',
      reason: null,
      actor: null,
      costMicros: null,
    });
    if (first) {
      const rationed = at > FROM + 70 * 60_000 && rnd() < 0.7;
      out.push({
        at: at + HOUR / 60,
        kind: 'reply',
        caller,
        text: null,
        labels: [],
        decision: rationed ? 'cancelled' : 'sent',
        reason: rationed ? 'shield_rationed' : null,
        actor: rationed ? 'shield' : null,
        costMicros: rationed ? null : REPLY_PRICE,
      });
    }
  }
  const special = (minutes: number, draft: Omit<Draft, 'at'>): void => {
    out.push({ ...draft, at: FROM + minutes * 60_000 + 123 });
  };
  const text = (caller: string, body: string, labels: string[]): Omit<Draft, 'at'> => ({
    kind: 'text',
    caller,
    text: body,
    labels,
    decision: 'cooldown',
    reason: null,
    actor: null,
    costMicros: null,
  });
  special(12, text('+33639980101', SCRIPT_TEXT, ['threat']));
  special(13, text('+33639980102', FORMULA_TEXT, ['spam']));
  special(14, text('+33639980103', ACCENTS_TEXT, ['threat', 'insult']));
  special(15, {
    ...text('withheld', 'numéro masqué, bisous', ['insult']),
    decision: 'reply_scheduled',
  });
  special(16, { ...text('+33639980104', 'texte effacé', ['insult']), erase: true });
  special(17, text('+33639980105', 'ligne 1\nligne 2, "guillemets"; point-virgule', []));
  special(70, {
    kind: 'shield',
    caller: null,
    text: null,
    labels: [],
    decision: 'on',
    reason: 'surge',
    actor: 'shield',
    costMicros: null,
  });
  special(200, {
    kind: 'operator',
    caller: null,
    text: null,
    labels: [],
    decision: 'rule.block',
    reason: null,
    actor: 'Camille',
    costMicros: null,
  });
  return out.sort((a, b) => a.at - b.at);
}

/** The fixture's events, chained from seq 5001 as if earlier entries existed. */
export function fixtureEvents(): BundleEvent[] {
  let previous = sha256Hex('entries before the export');
  return drafts().map((d, i): BundleEvent => {
    const content = canonicalize({
      at: d.at,
      kind: d.kind,
      line: LINE,
      caller: d.caller,
      text: d.text,
      labels: d.labels,
      decision: d.decision,
      reason: d.reason,
      actor: d.actor,
      costMicros: d.costMicros,
    });
    if (content === undefined) throw new Error('unreachable');
    const contentHash = sha256Hex(content);
    const seq = 5001 + i;
    const hash = entryHash(seq, previous, contentHash);
    previous = hash;
    return {
      seq,
      entryHash: hash,
      contentHash,
      at: d.at,
      kind: d.kind,
      line: LINE,
      caller: d.caller,
      text: d.erase ? null : d.text,
      labels: d.labels,
      decision: d.decision,
      reason: d.reason,
      actor: d.actor,
      costMicros: d.costMicros,
      content: d.erase ? null : content,
    };
  });
}

function summarise(events: BundleEvent[], language: BundleSummary['language']): BundleSummary {
  const contacts = events.filter((e) => e.kind === 'call' || e.kind === 'text');
  const hours: HourCount[] = [];
  for (let start = FROM; start < TO; start += HOUR) {
    const inHour = events.filter((e) => e.at >= start && e.at < start + HOUR);
    hours.push({
      start,
      calls: inHour.filter((e) => e.kind === 'call').length,
      texts: inHour.filter((e) => e.kind === 'text').length,
      replies: inHour.filter((e) => e.kind === 'reply' && e.decision === 'sent').length,
    });
  }
  const senders = new Map<string, TopSender>();
  for (const e of contacts) {
    const number = e.caller ?? 'withheld';
    const s = senders.get(number) ?? {
      number,
      calls: 0,
      texts: 0,
      labels: [],
      first: e.at,
      last: e.at,
    };
    if (e.kind === 'call') s.calls++;
    else s.texts++;
    for (const label of e.labels) if (!s.labels.includes(label)) s.labels.push(label);
    s.last = e.at;
    senders.set(number, s);
  }
  const labelCounts: Record<string, number> = {};
  for (const e of contacts) for (const l of e.labels) labelCounts[l] = (labelCounts[l] ?? 0) + 1;
  const threats: FlaggedText[] = contacts
    .filter((e) => e.labels.includes('threat') && e.text !== null)
    .map((e) => ({
      at: e.at,
      number: e.caller ?? 'withheld',
      line: LINE,
      text: e.text ?? '',
      labels: e.labels,
    }));
  const sent = events.filter((e) => e.kind === 'reply' && e.decision === 'sent');
  const spentMicros = sent.reduce((sum, e) => sum + (e.costMicros ?? 0), 0);
  const naiveMicros = contacts.length * REPLY_PRICE;
  const last = events.filter((e) => e.seq !== null).at(-1);
  return {
    organisation: {
      name: 'Collectif Nonmerci Lyon',
      address: '12 rue des Tisserands, 69001 Lyon',
      contact: 'contact@nonmerci.example',
    },
    generatedAt: GENERATED_AT,
    exportedBy: 'Camille Martin',
    from: FROM,
    to: TO,
    timeZone: 'Europe/Paris',
    language,
    currency: 'EUR',
    lines: [LINE],
    calls: contacts.filter((e) => e.kind === 'call').length,
    texts: contacts.filter((e) => e.kind === 'text').length,
    distinctSenders: senders.size,
    hours,
    minutes: busiestMinutes(events, FROM, TO),
    topSenders: [...senders.values()]
      .sort((a, b) => b.calls + b.texts - (a.calls + a.texts))
      .slice(0, 20),
    labelCounts,
    // List fewer than all, to exercise "N more in events.csv".
    threats: threats.slice(0, 5),
    threatsTotal: threats.length,
    // Two texts an operator chose to quote.
    quoted: threats.slice(1, 3),
    money: {
      spentMicros,
      repliesSent: sent.length,
      replyPriceMicros: REPLY_PRICE,
      naiveMicros,
      avoidedMicros: Math.max(0, naiveMicros - spentMicros),
      withheldByReason: {
        cooldown: contacts.filter((e) => e.decision === 'cooldown').length,
        shield_rationed: events.filter((e) => e.reason === 'shield_rationed').length,
      },
    },
    shieldPeriods: [
      {
        line: LINE,
        start: FROM + 70 * 60_000,
        end: FROM + 250 * 60_000,
        trigger: 'auto',
        reason: {
          detector: 'hostile_newcomers',
          count: 9,
          threshold: 8,
          usual: 0.4,
          windowMs: 30 * 60_000,
        },
        endReason: {
          detector: 'quiet',
          quietMs: 15 * 60_000,
          contacts: 1,
          contactsThreshold: 10,
          hostileNewcomers: 2,
          hostileNewcomersThreshold: 4,
          windowMs: 30 * 60_000,
        },
      },
    ],
    chain: {
      count: last?.seq ?? 0,
      head: last?.entryHash ?? '',
      headSeq: last?.seq ?? 0,
      intact: true,
      verdict: `chain intact: ${last?.seq ?? 0} entries checked`,
    },
  };
}

/** The realistic input, report in `language`. */
export function fixtureInput(language: BundleSummary['language'] = 'fr'): BundleInput {
  const events = fixtureEvents();
  return { events, summary: summarise(events, language) };
}
