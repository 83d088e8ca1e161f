/**
 * Turns a scenario into the list of inbound calls and texts of a replay: deterministic for a seed,
 * so a report can be reproduced and two shield settings compared on the very same raid.
 */
import type { SimEvent, SimRole } from './types.ts';
import type {
  BotsPopulation,
  CallerIdKind,
  ContactCount,
  CuriousPopulation,
  DurationRange,
  OrdinaryPopulation,
  Pacing,
  RaidersPopulation,
  Scenario,
  SpoofedPopulation,
} from './scenario.ts';
import {
  chance,
  integer,
  lognormal,
  pareto,
  pick,
  stream,
  uniform,
  weighted,
  type Rng,
} from './random.ts';

/** National significant numbers of French mobiles that libphonenumber accepts (06 and 073–079). */
const FRENCH_MOBILE = /^(?:6(?:[0-24-8]\d|3[0-8]|9[589])|7[3-9]\d)\d{6}$/;

function digits(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(Math.floor(rng() * 10));
  return out;
}

/** Hands out caller ids, never the same one twice and never inside a range a bot script holds. */
class NumberBook {
  readonly #used = new Set<string>();
  readonly #reservedPrefixes: string[] = [];

  #take(make: () => string): string {
    for (;;) {
      const number = make();
      if (this.#used.has(number)) continue;
      if (this.#reservedPrefixes.some((p) => number.startsWith(p))) continue;
      this.#used.add(number);
      return number;
    }
  }

  /** +336… or +337… with eight random digits, always a valid French mobile. */
  frenchMobile(rng: Rng): string {
    return this.#take(() => {
      for (;;) {
        const nsn = (rng() < 0.75 ? '6' : '7') + digits(rng, 8);
        if (FRENCH_MOBILE.test(nsn)) return `+33${nsn}`;
      }
    });
  }

  /** `count` consecutive French mobiles sharing one prefix: +33 6 12 34 56 00, 01, … */
  sequentialMobiles(rng: Rng, count: number): string[] {
    const width = count <= 100 ? 2 : count <= 1000 ? 3 : 4;
    for (;;) {
      const nsn = (rng() < 0.75 ? '6' : '7') + digits(rng, 8);
      if (!FRENCH_MOBILE.test(nsn)) continue;
      const prefix = `+33${nsn.slice(0, 9 - width)}`;
      if ([...this.#used].some((n) => n.startsWith(prefix))) continue;
      if (this.#reservedPrefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p)))
        continue;
      const numbers = Array.from(
        { length: count },
        (_, i) => `${prefix}${String(i).padStart(width, '0')}`,
      );
      for (const n of numbers) this.#used.add(n);
      this.#reservedPrefixes.push(prefix);
      return numbers;
    }
  }

  /** A spoofed caller id of the given kind. */
  spoofed(rng: Rng, kind: CallerIdKind): string {
    switch (kind) {
      case 'premium':
        // 089x: French premium-rate ("numéros surtaxés").
        return this.#take(() => `+3389${digits(rng, 7)}`);
      case 'landline':
        // 01 (Île-de-France), staying clear of ARCEP's fiction block 01 99 00.
        return this.#take(() => `+331${integer(rng, 1, 8)}${digits(rng, 7)}`);
      case 'foreign':
        return this.#take(() => pick(rng, FOREIGN_RANGES)(rng));
      case 'anonymous':
        return pick(rng, ['anonymous', 'restricted', 'unknown']);
    }
  }
}

/**
 * Classic SMS-pumping destinations: Ivory Coast mobiles, UK mobiles (+44 74, all on the mainland)
 * and Thuraya's international network (+882 16, no country).
 */
const FOREIGN_RANGES: ((rng: Rng) => string)[] = [
  (rng) => `+225${pick(rng, ['01', '05', '07'])}${digits(rng, 8)}`,
  (rng) => `+4474${digits(rng, 8)}`,
  (rng) => `+88216${digits(rng, 8)}`,
];

/** How many contacts one actor makes, drawn from the scenario's distribution. */
export function drawCount(rng: Rng, count: ContactCount): number {
  const capped = (x: number, max: number) => Math.min(max, Math.max(1, Math.round(x)));
  switch (count.distribution) {
    case 'fixed':
      return count.value;
    case 'uniform':
      return integer(rng, count.min, count.max);
    case 'lognormal':
      return capped(lognormal(rng, count.median, count.sigma), count.max);
    case 'pareto':
      return capped(pareto(rng, count.min, count.alpha), count.max);
  }
}

function between(rng: Rng, range: DurationRange): number {
  return uniform(rng, range.minMs, range.maxMs);
}

/**
 * Offsets of `n` contacts of one actor from its first one, following the pacing, squeezed into
 * `span` ms when they would not fit: pauses shrink first, then everything.
 */
export function sessionOffsets(rng: Rng, n: number, pacing: Pacing, span: number): number[] {
  const gaps: { ms: number; pause: boolean }[] = [];
  let leftInBurst = pacing.burst ? integer(rng, pacing.burst.size.min, pacing.burst.size.max) : 1;
  for (let i = 1; i < n; i++) {
    leftInBurst--;
    if (leftInBurst > 0 && pacing.burst) {
      gaps.push({ ms: between(rng, pacing.burst.gap), pause: false });
    } else {
      gaps.push({ ms: between(rng, pacing.pause), pause: true });
      leftInBurst = pacing.burst ? integer(rng, pacing.burst.size.min, pacing.burst.size.max) : 1;
    }
  }
  const total = gaps.reduce((s, g) => s + g.ms, 0);
  let pauseScale = 1;
  let allScale = 1;
  if (total > span) {
    const bursts = gaps.reduce((s, g) => s + (g.pause ? 0 : g.ms), 0);
    if (bursts < span) pauseScale = (span - bursts) / (total - bursts);
    else allScale = span / total;
  }
  const offsets = [0];
  let t = 0;
  for (const g of gaps) {
    t += g.ms * (g.pause ? pauseScale : 1) * allScale;
    offsets.push(Math.min(t, span));
  }
  return offsets;
}

/**
 * A point in [0, length] where raiders join: the rate rises linearly over `rampUp`, then holds.
 * `u` is uniform in [0, 1).
 */
export function rampedOffset(u: number, rampUp: number, length: number): number {
  const area = rampUp / 2 + (length - rampUp);
  const x = u * area;
  if (x < rampUp / 2) return Math.sqrt(2 * x * rampUp);
  return rampUp + (x - rampUp / 2);
}

/** Changes a raider's text a little, as people do to dodge filters or shout. */
function vary(rng: Rng, text: string): string {
  const chars = [...text];
  switch (integer(rng, 0, 3)) {
    case 0:
      return text.toUpperCase();
    case 1:
      return text + pick(rng, [' !!!', '!!', ' 😂😂', ' ???', ' mdr', ' lol']);
    case 2: {
      const last = chars.at(-1) ?? '';
      return text + last.repeat(integer(rng, 2, 4));
    }
    default:
      return !text.includes(' ') && chars.length <= 12 ? chars.join(' ') : text.toUpperCase();
  }
}

interface Sink {
  push(event: SimEvent): void;
}

function contact(
  rng: Rng,
  textShare: number,
  body: () => string,
): { kind: 'call' | 'text'; body: string | null } {
  return chance(rng, textShare) ? { kind: 'text', body: body() } : { kind: 'call', body: null };
}

function ordinary(p: OrdinaryPopulation, rng: Rng, numbers: string[], end: number, out: Sink) {
  for (let i = 0; i < p.count; i++) {
    const actor = `ordinary-${i + 1}`;
    const from = numbers[i]!;
    const at = Math.floor(uniform(rng, p.window.fromMs, p.window.toMs));
    out.push({
      at,
      from,
      actor,
      role: 'ordinary',
      ...contact(rng, p.textShare, () => pick(rng, p.texts)),
    });
    if (p.returning && chance(rng, p.returning.share)) {
      const { texts, times } = p.returning;
      const n = times.min === times.max ? times.min : integer(rng, times.min, times.max);
      let again = at;
      for (let k = 0; k < n; k++) {
        again = Math.floor(again + between(rng, p.returning.gap));
        const c = contact(rng, p.textShare, () => pick(rng, texts));
        if (again < end) out.push({ at: again, from, actor, role: 'ordinary', ...c });
      }
    }
  }
}

function curious(p: CuriousPopulation, rng: Rng, numbers: string[], end: number, out: Sink) {
  for (let i = 0; i < p.count; i++) {
    const actor = `curious-${i + 1}`;
    const from = numbers[i]!;
    let at = Math.floor(uniform(rng, p.window.fromMs, p.window.toMs));
    const n = p.repeat && chance(rng, p.repeat.share) ? integer(rng, 2, p.repeat.maxContacts) : 1;
    for (let k = 0; k < n && at < end; k++) {
      out.push({
        at,
        from,
        actor,
        role: 'curious',
        ...contact(rng, p.textShare, () => pick(rng, p.texts)),
      });
      if (p.repeat) at = Math.floor(at + between(rng, p.repeat.gap));
    }
  }
}

function raiders(p: RaidersPopulation, rng: Rng, numbers: string[], out: Sink) {
  const span = Math.max(0, p.durationMs - 1);
  for (let i = 0; i < p.count; i++) {
    const actor = `raider-${i + 1}`;
    const from = numbers[i]!;
    const n = drawCount(rng, p.contacts);
    const offsets = sessionOffsets(rng, n, p.pacing, span);
    const length = offsets.at(-1) ?? 0;
    const joinShape = rampedOffset(rng(), p.rampUpMs, p.durationMs);
    const join = p.startMs + (joinShape * (span - length)) / Math.max(1, p.durationMs);
    const body = () => {
      const text = chance(rng, p.hostileShare)
        ? pick(rng, p.hostileTexts)
        : pick(rng, p.blandTexts);
      return chance(rng, p.vary) ? vary(rng, text) : text;
    };
    for (const offset of offsets) {
      out.push({
        at: Math.floor(join + offset),
        from,
        actor,
        role: 'raider',
        ...contact(rng, p.textShare, body),
      });
    }
  }
}

function bots(p: BotsPopulation, rng: Rng, numbers: string[], out: Sink) {
  for (let i = 0; i < p.count; i++) {
    const actor = `bot-${i + 1}`;
    const from = numbers[i]!;
    const n = drawCount(rng, p.contacts);
    const latest = Math.max(p.window.fromMs, p.window.toMs - n * p.intervalMs);
    let at = Math.floor(uniform(rng, p.window.fromMs, latest));
    for (let k = 0; k < n && at < p.window.toMs; k++) {
      out.push({
        at,
        from,
        actor,
        role: 'bot',
        ...contact(rng, p.textShare, () => pick(rng, p.texts)),
      });
      at += p.intervalMs + integer(rng, -p.jitterMs, p.jitterMs);
    }
  }
}

function spoofed(p: SpoofedPopulation, rng: Rng, book: NumberBook, out: Sink) {
  const span = Math.max(0, p.window.toMs - p.window.fromMs - 1);
  for (let i = 0; i < p.count; i++) {
    const actor = `spoofed-${i + 1}`;
    const from = book.spoofed(rng, weighted(rng, p.callerIds));
    const offsets = sessionOffsets(rng, drawCount(rng, p.contacts), p.pacing, span);
    const start = p.window.fromMs + rng() * (span - (offsets.at(-1) ?? 0));
    for (const offset of offsets) {
      out.push({
        at: Math.floor(start + offset),
        from,
        actor,
        role: 'spoofed',
        ...contact(rng, p.textShare, () => pick(rng, p.texts)),
      });
    }
  }
}

/** Every inbound contact of the scenario, sorted by `at` (ms from the start). */
export function generateEvents(scenario: Scenario): SimEvent[] {
  const events: SimEvent[] = [];
  const book = new NumberBook();
  const numbers = stream(scenario.seed, 'numbers');
  const rng = (role: SimRole) => stream(scenario.seed, role);
  // Reserve the bots' range first so no one else's number falls inside it.
  const botNumbers = scenario.bots?.sequentialNumbers
    ? book.sequentialMobiles(numbers, scenario.bots.count)
    : null;
  const mobiles = (count: number) =>
    Array.from({ length: count }, () => book.frenchMobile(numbers));
  const end = scenario.durationMs;

  if (scenario.ordinary)
    ordinary(scenario.ordinary, rng('ordinary'), mobiles(scenario.ordinary.count), end, events);
  if (scenario.curious)
    curious(scenario.curious, rng('curious'), mobiles(scenario.curious.count), end, events);
  if (scenario.raiders)
    raiders(scenario.raiders, rng('raider'), mobiles(scenario.raiders.count), events);
  if (scenario.bots)
    bots(scenario.bots, rng('bot'), botNumbers ?? mobiles(scenario.bots.count), events);
  if (scenario.spoofed) spoofed(scenario.spoofed, rng('spoofed'), book, events);
  return events.sort((a, b) => a.at - b.at);
}

/**
 * When the raid begins (ms from the start): the earliest configured start of raiders, bots or
 * spoofed callers, or null when the scenario has none of them.
 */
export function raidStartsAt(scenario: Scenario): number | null {
  const starts: number[] = [];
  if (scenario.raiders && scenario.raiders.count > 0) starts.push(scenario.raiders.startMs);
  if (scenario.bots && scenario.bots.count > 0) starts.push(scenario.bots.window.fromMs);
  if (scenario.spoofed && scenario.spoofed.count > 0) starts.push(scenario.spoofed.window.fromMs);
  return starts.length ? Math.min(...starts) : null;
}
