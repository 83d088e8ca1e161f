/**
 * Replay scenarios: data files (YAML or JSON) that describe who contacts the line, when and how.
 * Operators copy and edit them, so every mistake is reported with the file, the field's path and
 * what to write instead, and unknown fields are errors (a typo must not silently fall back to a
 * default). Durations are written with a unit ("90s", "15m", "6h", "1h30m"); shares as 0.7 or "70%".
 *
 * Top-level fields: name, description, seed, start, duration, and the populations ordinary,
 * curious, raiders, bots and spoofed, each optional. scenarios/raid-2017.yaml documents every field.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { NonmerciError } from '../domain/errors.ts';
import { formatDuration, parseDuration } from '../domain/duration.ts';
import {
  BLAND_TEXTS,
  BOT_TEXTS,
  CURIOUS_TEXTS,
  FOLLOW_UP_TEXTS,
  HOSTILE_TEXTS,
  ORDINARY_TEXTS,
  SPOOFED_TEXTS,
} from './texts.ts';

/** A stretch of the replay, in ms from its start: [fromMs, toMs). */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/** A random duration drawn uniformly between two bounds (ms). */
export interface DurationRange {
  minMs: number;
  maxMs: number;
}

/** How many contacts one actor makes. Heavy-tailed kinds are capped by `max`. */
export type ContactCount =
  | { distribution: 'fixed'; value: number }
  | { distribution: 'uniform'; min: number; max: number }
  | { distribution: 'lognormal'; median: number; sigma: number; max: number }
  | { distribution: 'pareto'; min: number; alpha: number; max: number };

/**
 * Gaps between one actor's contacts: volleys of `burst.size` contacts `burst.gap` apart, separated by
 * `pause`. Without `burst`, every gap is a pause.
 */
export interface Pacing {
  pause: DurationRange;
  burst: { size: { min: number; max: number }; gap: DurationRange } | null;
}

/** Men who were given the number: the people the hotline is for. */
export interface OrdinaryPopulation {
  count: number;
  window: TimeWindow;
  textShare: number;
  /**
   * Share that gets in touch again: `times` more contacts (1 by default), each `gap` after the one
   * before.
   */
  returning: {
    share: number;
    gap: DurationRange;
    times: { min: number; max: number };
    texts: string[];
  } | null;
  texts: string[];
}

/** People who heard about the line and send "test". */
export interface CuriousPopulation {
  count: number;
  window: TimeWindow;
  textShare: number;
  /** Share that sends more than once: 2 to maxContacts contacts, `gap` apart. */
  repeat: { share: number; maxContacts: number; gap: DurationRange } | null;
  texts: string[];
}

/** Forum members raiding the line from their own phones. */
export interface RaidersPopulation {
  count: number;
  /** When the raid begins, from the start of the replay. */
  startMs: number;
  /** Members join at a rate rising linearly over this time, then steady. */
  rampUpMs: number;
  durationMs: number;
  contacts: ContactCount;
  textShare: number;
  /** Share of texts drawn from hostileTexts (the rest from blandTexts). */
  hostileShare: number;
  /** Share of texts altered a little (capitals, spacing, repeated letters, "!!!"). */
  vary: number;
  hostileTexts: string[];
  blandTexts: string[];
  pacing: Pacing;
}

/** Scripts sending on a fixed rhythm. */
export interface BotsPopulation {
  count: number;
  window: TimeWindow;
  contacts: ContactCount;
  intervalMs: number;
  jitterMs: number;
  textShare: number;
  texts: string[];
  /** Numbers from one range (+33 6 xx xx xx 00…99): they share a prefix. */
  sequentialNumbers: boolean;
}

export type CallerIdKind = 'premium' | 'foreign' | 'landline' | 'anonymous';
export const CALLER_ID_KINDS: readonly CallerIdKind[] = [
  'premium',
  'foreign',
  'landline',
  'anonymous',
];

/** Caller ids an SMS must never go to: premium rate, foreign pumping ranges, landlines, withheld. */
export interface SpoofedPopulation {
  count: number;
  window: TimeWindow;
  contacts: ContactCount;
  /** Relative weights of each kind of caller id. */
  callerIds: Record<CallerIdKind, number>;
  textShare: number;
  texts: string[];
  pacing: Pacing;
}

/**
 * The targets a replay is checked against (shares are 0–1). A scenario without raiders, bots or
 * spoofed ids is a calm day: there the shield must stay off and every ordinary caller with a
 * mobile of an allowed country must get his SMS on time. With a raid, the other targets apply.
 */
export interface ScenarioTargets {
  /** Raid: the spend on raiders, bots and spoofed ids, at most this share of a naive autoresponder's. */
  raidSpend: number;
  /** Raid: ordinary callers (with an allowed mobile) served before their reply expired, at least. */
  servedBeforeExpiry: number;
  /** Raid: ordinary callers who came outside shield periods and were served on time, at least. */
  onTimeOutsideShield: number;
  /** Raid: the shield switches on within this of the raid's start. */
  detectWithinMs: number;
}

export const DEFAULT_TARGETS: ScenarioTargets = {
  raidSpend: 0.01,
  servedBeforeExpiry: 0.99,
  onTimeOutsideShield: 0.99,
  detectWithinMs: 30 * 60_000,
};

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Start as written (ISO 8601 with an offset) and as epoch ms. */
  start: string;
  startMs: number;
  /** Length of the traffic: every contact happens in [0, durationMs). */
  durationMs: number;
  ordinary: OrdinaryPopulation | null;
  curious: CuriousPopulation | null;
  raiders: RaidersPopulation | null;
  bots: BotsPopulation | null;
  spoofed: SpoofedPopulation | null;
  /** What the replay must show; a scenario may make a default stricter or looser. */
  targets: ScenarioTargets;
  /** File (or name) the scenario was read from, for messages. */
  source: string;
}

/** A scenario file is wrong; the message lists every mistake with its file and field. */
export class ScenarioError extends NonmerciError {
  readonly problems: string[];
  constructor(problems: string[]) {
    const message =
      problems.length === 1
        ? problems[0]!
        : `${problems.length} problems in the scenario:\n  - ${problems.join('\n  - ')}`;
    super('scenario_invalid', message, { problems });
    this.problems = problems;
  }
}

/** Folder of the shipped scenarios: <repo>/scenarios. */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

const MAX_COUNT = 100_000;
const MAX_CONTACTS = 100_000;
const MAX_DURATION_MS = 31 * 86_400_000;
const MAX_SEQUENTIAL_BOTS = 10_000;
const ISO_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** How a value looks in a message: strings quoted, structures named. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `the date ${value.toISOString()} (put it in quotes)`;
  if (typeof value === 'object') return 'a group of fields';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

/** Edit distance, to suggest the field an operator probably meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(
        above + 1,
        row[j - 1]! + 1,
        diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Reads untrusted parsed data field by field, collecting every mistake. */
class Reader {
  readonly errors: string[] = [];
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  fail(path: string, message: string): null {
    this.errors.push(`${this.source}: ${path || 'the file'} ${message}`);
    return null;
  }

  /** A group of fields; unknown ones are reported with the closest known name. */
  group(value: unknown, path: string, known: readonly string[]): Record<string, unknown> | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const fields = known.slice(0, 3).join(', ');
      return this.fail(
        path,
        `must be a group of fields (${fields}, …) written below it (got ${shown(value)})`,
      );
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      const best = known.map((k) => ({ k, d: distance(key, k) })).sort((x, y) => x.d - y.d)[0];
      const hint =
        best && best.d <= Math.max(2, Math.floor(key.length / 3))
          ? ` (did you mean "${best.k}"?)`
          : '';
      this.fail(
        path ? `${path}.${key}` : key,
        `is not a known field${hint}; known fields here: ${known.join(', ')}`,
      );
    }
    return record;
  }

  required(record: Record<string, unknown>, key: string, path: string, example: string): boolean {
    if (record[key] !== undefined && record[key] !== null) return true;
    this.fail(join2(path, key), `is required: write e.g. ${key}: ${example}`);
    return false;
  }

  number(
    value: unknown,
    path: string,
    rule: { min: number; max?: number; integer?: boolean; above?: boolean },
  ): number | null {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (rule.above ? value > rule.min : value >= rule.min) &&
      (rule.max === undefined || value <= rule.max) &&
      (!rule.integer || Number.isInteger(value));
    if (ok) return value;
    const kind = rule.integer ? 'a whole number' : 'a number';
    const bound = rule.above ? `> ${rule.min}` : `≥ ${rule.min}`;
    const upper = rule.max === undefined ? '' : ` and ≤ ${rule.max}`;
    return this.fail(path, `must be ${kind} ${bound}${upper} (got ${shown(value)})`);
  }

  /** 0.7, or "70%". */
  share(value: unknown, path: string): number | null {
    let n: unknown = value;
    if (typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s*%\s*$/.test(value)) {
      n = Number(value.replace('%', '').trim()) / 100;
    }
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1) return n;
    return this.fail(
      path,
      `must be a share between 0 and 1, like 0.7 or "70%" (got ${shown(value)})`,
    );
  }

  duration(value: unknown, path: string, options: { positive?: boolean } = {}): number | null {
    const ms =
      value === 0 ? 0 : typeof value === 'string' ? parseDuration(value) : (null as number | null);
    if (ms === null) {
      const hint =
        typeof value === 'number'
          ? `; a bare number has no unit: write "${value}s" or "${value}m"`
          : '';
      return this.fail(
        path,
        `must be a duration with a unit, like "90s", "15m", "6h" or "1h30m" (got ${shown(value)})${hint}`,
      );
    }
    if (options.positive && ms <= 0)
      return this.fail(path, `must be longer than 0 (got ${shown(value)})`);
    return ms;
  }

  text(value: unknown, path: string): string | null {
    if (typeof value === 'string' && value.trim() !== '') return value;
    return this.fail(path, `must be a non-empty text (got ${shown(value)})`);
  }

  texts(value: unknown, path: string): string[] | null {
    if (!Array.isArray(value) || value.length === 0) {
      return this.fail(
        path,
        `must be a list of texts, one per line starting with "- " (got ${shown(value)})`,
      );
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string' && item.trim() !== '' && item.length <= 1600) out.push(item);
      else if (typeof item === 'number') out.push(String(item));
      else
        this.fail(
          `${path}[${i}]`,
          `must be a non-empty text of at most 1600 characters (got ${shown(item)})`,
        );
    });
    return out.length === value.length ? out : null;
  }

  boolean(value: unknown, path: string): boolean | null {
    if (typeof value === 'boolean') return value;
    return this.fail(path, `must be true or false (got ${shown(value)})`);
  }
}

function join2(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Reads an optional field with a default; undefined (absent) takes the default. */
function opt<T>(
  record: Record<string, unknown>,
  key: string,
  fallback: T,
  read: (value: unknown) => T | null,
): T | null {
  const value = record[key];
  return value === undefined ? fallback : read(value);
}

function readWindow(
  r: Reader,
  value: unknown,
  path: string,
  totalMs: number | null,
): TimeWindow | null {
  const g = r.group(value, path, ['from', 'to']);
  if (!g) return null;
  const has = r.required(g, 'from', path, '2h') && r.required(g, 'to', path, '8h');
  if (!has) return null;
  const fromMs = r.duration(g.from, `${path}.from`);
  const toMs = r.duration(g.to, `${path}.to`);
  if (fromMs === null || toMs === null) return null;
  if (toMs <= fromMs)
    return r.fail(
      `${path}.to`,
      `(${formatDuration(toMs)}) must be after ${path}.from (${formatDuration(fromMs)})`,
    );
  if (totalMs !== null && toMs > totalMs) {
    return r.fail(
      `${path}.to`,
      `(${formatDuration(toMs)}) must not be after the end of the traffic (duration: ${formatDuration(totalMs)}); shorten the window or lengthen duration`,
    );
  }
  return { fromMs, toMs };
}

function readRange(
  r: Reader,
  value: unknown,
  path: string,
  [minExample, maxExample]: [string, string],
): DurationRange | null {
  const g = r.group(value, path, ['min', 'max']);
  if (!g) return null;
  if (!(r.required(g, 'min', path, minExample) && r.required(g, 'max', path, maxExample)))
    return null;
  const minMs = r.duration(g.min, `${path}.min`);
  const maxMs = r.duration(g.max, `${path}.max`);
  if (minMs === null || maxMs === null) return null;
  if (maxMs < minMs)
    return r.fail(
      `${path}.max`,
      `(${formatDuration(maxMs)}) must not be below ${path}.min (${formatDuration(minMs)})`,
    );
  return { minMs, maxMs };
}

function readIntRange(
  r: Reader,
  value: unknown,
  path: string,
): { min: number; max: number } | null {
  const g = r.group(value, path, ['min', 'max']);
  if (!g) return null;
  if (!(r.required(g, 'min', path, '1') && r.required(g, 'max', path, '6'))) return null;
  const min = r.number(g.min, `${path}.min`, { min: 1, max: MAX_CONTACTS, integer: true });
  const max = r.number(g.max, `${path}.max`, { min: 1, max: MAX_CONTACTS, integer: true });
  if (min === null || max === null) return null;
  if (max < min) return r.fail(`${path}.max`, `(${max}) must not be below ${path}.min (${min})`);
  return { min, max };
}

const DISTRIBUTIONS = ['uniform', 'lognormal', 'pareto'] as const;

function readContacts(r: Reader, value: unknown, path: string): ContactCount | null {
  if (typeof value === 'number' || typeof value === 'string') {
    const n = r.number(value, path, { min: 1, max: MAX_CONTACTS, integer: true });
    if (n === null) {
      r.errors.pop();
      return r.fail(
        path,
        `must be a whole number ≥ 1 (contacts per actor), or a distribution like { distribution: lognormal, median: 6, sigma: 1.9, max: 800 } (got ${shown(value)})`,
      );
    }
    return { distribution: 'fixed', value: n };
  }
  const head = r.group(value, path, ['distribution', 'min', 'max', 'median', 'sigma', 'alpha']);
  if (!head) return null;
  const kind = head.distribution;
  if (!DISTRIBUTIONS.includes(kind as (typeof DISTRIBUTIONS)[number])) {
    return r.fail(
      `${path}.distribution`,
      `must be one of ${DISTRIBUTIONS.join(', ')} (got ${shown(kind)})`,
    );
  }
  const count = (key: string) =>
    r.number(head[key], `${path}.${key}`, { min: 1, max: MAX_CONTACTS, integer: true });
  const fields: Record<(typeof DISTRIBUTIONS)[number], string[]> = {
    uniform: ['min', 'max'],
    lognormal: ['median', 'sigma', 'max'],
    pareto: ['min', 'alpha', 'max'],
  };
  const allowed = ['distribution', ...fields[kind as (typeof DISTRIBUTIONS)[number]]];
  for (const key of Object.keys(head)) {
    if (!allowed.includes(key))
      r.fail(
        `${path}.${key}`,
        `is not a field of a ${String(kind)} distribution; it takes ${allowed.slice(1).join(', ')}`,
      );
  }
  const examples: Record<string, string> = {
    min: '2',
    max: '800',
    median: '6',
    sigma: '1.9',
    alpha: '1.2',
  };
  for (const key of allowed.slice(1)) if (!r.required(head, key, path, examples[key]!)) return null;
  switch (kind) {
    case 'uniform': {
      const min = count('min');
      const max = count('max');
      if (min === null || max === null) return null;
      if (max < min)
        return r.fail(`${path}.max`, `(${max}) must not be below ${path}.min (${min})`);
      return { distribution: 'uniform', min, max };
    }
    case 'lognormal': {
      const median = r.number(head.median, `${path}.median`, { min: 1, max: MAX_CONTACTS });
      const sigma = r.number(head.sigma, `${path}.sigma`, { min: 0, max: 5, above: true });
      const max = count('max');
      if (median === null || sigma === null || max === null) return null;
      if (max < median)
        return r.fail(`${path}.max`, `(${max}) must not be below ${path}.median (${median})`);
      return { distribution: 'lognormal', median, sigma, max };
    }
    default: {
      const min = r.number(head.min, `${path}.min`, { min: 1, max: MAX_CONTACTS });
      const alpha = r.number(head.alpha, `${path}.alpha`, { min: 0, max: 10, above: true });
      const max = count('max');
      if (min === null || alpha === null || max === null) return null;
      if (max < min)
        return r.fail(`${path}.max`, `(${max}) must not be below ${path}.min (${min})`);
      return { distribution: 'pareto', min, alpha, max };
    }
  }
}

function readPacing(r: Reader, value: unknown, path: string): Pacing | null {
  const g = r.group(value, path, ['pause', 'burst']);
  if (!g) return null;
  if (!r.required(g, 'pause', path, '{ min: 2m, max: 40m }')) return null;
  const pause = readRange(r, g.pause, `${path}.pause`, ['2m', '40m']);
  let burst: Pacing['burst'] = null;
  if (g.burst !== undefined) {
    const b = r.group(g.burst, `${path}.burst`, ['size', 'gap']);
    if (!b) return null;
    if (!(
      r.required(b, 'size', `${path}.burst`, '{ min: 1, max: 6 }') &&
      r.required(b, 'gap', `${path}.burst`, '{ min: 3s, max: 40s }')
    ))
      return null;
    const size = readIntRange(r, b.size, `${path}.burst.size`);
    const gap = readRange(r, b.gap, `${path}.burst.gap`, ['3s', '40s']);
    if (!size || !gap) return null;
    burst = { size, gap };
  }
  return pause ? { pause, burst } : null;
}

function readCount(
  r: Reader,
  g: Record<string, unknown>,
  path: string,
  example: string,
): number | null {
  if (!r.required(g, 'count', path, example)) return null;
  return r.number(g.count, `${path}.count`, { min: 0, max: MAX_COUNT, integer: true });
}

function readOrdinary(r: Reader, value: unknown, totalMs: number): OrdinaryPopulation | null {
  const p = 'ordinary';
  const g = r.group(value, p, ['count', 'window', 'textShare', 'returning', 'texts']);
  if (!g) return null;
  const count = readCount(r, g, p, '30');
  const window = opt(g, 'window', { fromMs: 0, toMs: totalMs }, (v) =>
    readWindow(r, v, `${p}.window`, totalMs),
  );
  const textShare = opt(g, 'textShare', 0.5, (v) => r.share(v, `${p}.textShare`));
  const texts = opt(g, 'texts', [...ORDINARY_TEXTS], (v) => r.texts(v, `${p}.texts`));
  let returning: OrdinaryPopulation['returning'] | undefined = null;
  if (g.returning !== undefined) {
    const rp = `${p}.returning`;
    const rg = r.group(g.returning, rp, ['share', 'gap', 'times', 'texts']);
    returning = undefined;
    if (
      rg &&
      r.required(rg, 'share', rp, '0.15') &&
      r.required(rg, 'gap', rp, '{ min: 20m, max: 5h }')
    ) {
      const share = r.share(rg.share, `${rp}.share`);
      const gap = readRange(r, rg.gap, `${rp}.gap`, ['20m', '5h']);
      const times = opt(rg, 'times', { min: 1, max: 1 }, (v) => readIntRange(r, v, `${rp}.times`));
      const rtexts = opt(rg, 'texts', [...FOLLOW_UP_TEXTS], (v) => r.texts(v, `${rp}.texts`));
      if (share !== null && gap && times && rtexts)
        returning = { share, gap, times, texts: rtexts };
    }
  }
  if (count === null || !window || textShare === null || !texts || returning === undefined)
    return null;
  return { count, window, textShare, returning, texts };
}

function readCurious(r: Reader, value: unknown, totalMs: number): CuriousPopulation | null {
  const p = 'curious';
  const g = r.group(value, p, ['count', 'window', 'textShare', 'repeat', 'texts']);
  if (!g) return null;
  const count = readCount(r, g, p, '300');
  const window = opt(g, 'window', { fromMs: 0, toMs: totalMs }, (v) =>
    readWindow(r, v, `${p}.window`, totalMs),
  );
  const textShare = opt(g, 'textShare', 0.9, (v) => r.share(v, `${p}.textShare`));
  const texts = opt(g, 'texts', [...CURIOUS_TEXTS], (v) => r.texts(v, `${p}.texts`));
  let repeat: CuriousPopulation['repeat'] | undefined = null;
  if (g.repeat !== undefined) {
    const rp = `${p}.repeat`;
    const rg = r.group(g.repeat, rp, ['share', 'maxContacts', 'gap']);
    repeat = undefined;
    if (
      rg &&
      r.required(rg, 'share', rp, '0.3') &&
      r.required(rg, 'maxContacts', rp, '3') &&
      r.required(rg, 'gap', rp, '{ min: 30s, max: 20m }')
    ) {
      const share = r.share(rg.share, `${rp}.share`);
      const maxContacts = r.number(rg.maxContacts, `${rp}.maxContacts`, {
        min: 2,
        max: 100,
        integer: true,
      });
      const gap = readRange(r, rg.gap, `${rp}.gap`, ['30s', '20m']);
      if (share !== null && maxContacts !== null && gap) repeat = { share, maxContacts, gap };
    }
  }
  if (count === null || !window || textShare === null || !texts || repeat === undefined)
    return null;
  return { count, window, textShare, repeat, texts };
}

function readRaiders(r: Reader, value: unknown, totalMs: number): RaidersPopulation | null {
  const p = 'raiders';
  const known = [
    'count',
    'start',
    'rampUp',
    'duration',
    'contacts',
    'textShare',
    'hostileShare',
    'vary',
    'hostileTexts',
    'blandTexts',
    'pacing',
  ];
  const g = r.group(value, p, known);
  if (!g) return null;
  const count = readCount(r, g, p, '400');
  const startMs = r.required(g, 'start', p, '2h') ? r.duration(g.start, `${p}.start`) : null;
  const durationMs = r.required(g, 'duration', p, '6h')
    ? r.duration(g.duration, `${p}.duration`, { positive: true })
    : null;
  const rampUpMs = opt(g, 'rampUp', 0, (v) => r.duration(v, `${p}.rampUp`));
  const contacts = r.required(
    g,
    'contacts',
    p,
    '{ distribution: lognormal, median: 6, sigma: 1.9, max: 800 }',
  )
    ? readContacts(r, g.contacts, `${p}.contacts`)
    : null;
  const textShare = opt(g, 'textShare', 0.7, (v) => r.share(v, `${p}.textShare`));
  const hostileShare = opt(g, 'hostileShare', 0.8, (v) => r.share(v, `${p}.hostileShare`));
  const vary = opt(g, 'vary', 0.3, (v) => r.share(v, `${p}.vary`));
  const hostileTexts = opt(g, 'hostileTexts', [...HOSTILE_TEXTS], (v) =>
    r.texts(v, `${p}.hostileTexts`),
  );
  const blandTexts = opt(g, 'blandTexts', [...BLAND_TEXTS], (v) => r.texts(v, `${p}.blandTexts`));
  const pacing = opt(
    g,
    'pacing',
    { pause: { minMs: 60_000, maxMs: 1_200_000 }, burst: null },
    (v) => readPacing(r, v, `${p}.pacing`),
  );
  if (startMs !== null && durationMs !== null && startMs + durationMs > totalMs) {
    r.fail(
      `${p}.duration`,
      `(${formatDuration(durationMs)}) starting at ${formatDuration(startMs)} ends after the traffic (duration: ${formatDuration(totalMs)}); shorten it to at most ${formatDuration(Math.max(0, totalMs - startMs))}`,
    );
    return null;
  }
  if (rampUpMs !== null && durationMs !== null && rampUpMs > durationMs) {
    return r.fail(
      `${p}.rampUp`,
      `(${formatDuration(rampUpMs)}) must not be longer than ${p}.duration (${formatDuration(durationMs)})`,
    );
  }
  if (
    count === null ||
    startMs === null ||
    durationMs === null ||
    rampUpMs === null ||
    !contacts ||
    textShare === null ||
    hostileShare === null ||
    vary === null ||
    !hostileTexts ||
    !blandTexts ||
    !pacing
  )
    return null;
  return {
    count,
    startMs,
    rampUpMs,
    durationMs,
    contacts,
    textShare,
    hostileShare,
    vary,
    hostileTexts,
    blandTexts,
    pacing,
  };
}

function readBots(r: Reader, value: unknown, totalMs: number): BotsPopulation | null {
  const p = 'bots';
  const g = r.group(value, p, [
    'count',
    'window',
    'contacts',
    'interval',
    'jitter',
    'textShare',
    'texts',
    'sequentialNumbers',
  ]);
  if (!g) return null;
  const count = readCount(r, g, p, '10');
  const window = opt(g, 'window', { fromMs: 0, toMs: totalMs }, (v) =>
    readWindow(r, v, `${p}.window`, totalMs),
  );
  const contacts = r.required(g, 'contacts', p, '400')
    ? readContacts(r, g.contacts, `${p}.contacts`)
    : null;
  const intervalMs = r.required(g, 'interval', p, '8s')
    ? r.duration(g.interval, `${p}.interval`, { positive: true })
    : null;
  const jitterMs = opt(g, 'jitter', 0, (v) => r.duration(v, `${p}.jitter`));
  const textShare = opt(g, 'textShare', 1, (v) => r.share(v, `${p}.textShare`));
  const texts = opt(g, 'texts', [...BOT_TEXTS], (v) => r.texts(v, `${p}.texts`));
  const sequentialNumbers = opt(g, 'sequentialNumbers', false, (v) =>
    r.boolean(v, `${p}.sequentialNumbers`),
  );
  if (intervalMs !== null && jitterMs !== null && jitterMs >= intervalMs) {
    return r.fail(
      `${p}.jitter`,
      `(${formatDuration(jitterMs)}) must be shorter than ${p}.interval (${formatDuration(intervalMs)})`,
    );
  }
  if (sequentialNumbers && count !== null && count > MAX_SEQUENTIAL_BOTS) {
    return r.fail(
      `${p}.count`,
      `must be at most ${MAX_SEQUENTIAL_BOTS} with sequentialNumbers: true (got ${count})`,
    );
  }
  if (
    count === null ||
    !window ||
    !contacts ||
    intervalMs === null ||
    jitterMs === null ||
    textShare === null ||
    !texts ||
    sequentialNumbers === null
  )
    return null;
  return { count, window, contacts, intervalMs, jitterMs, textShare, texts, sequentialNumbers };
}

function readSpoofed(r: Reader, value: unknown, totalMs: number): SpoofedPopulation | null {
  const p = 'spoofed';
  const g = r.group(value, p, [
    'count',
    'window',
    'contacts',
    'callerIds',
    'textShare',
    'texts',
    'pacing',
  ]);
  if (!g) return null;
  const count = readCount(r, g, p, '100');
  const window = opt(g, 'window', { fromMs: 0, toMs: totalMs }, (v) =>
    readWindow(r, v, `${p}.window`, totalMs),
  );
  const contacts = r.required(g, 'contacts', p, '{ distribution: uniform, min: 1, max: 20 }')
    ? readContacts(r, g.contacts, `${p}.contacts`)
    : null;
  let callerIds: Record<CallerIdKind, number> | null = null;
  if (
    r.required(g, 'callerIds', p, '{ premium: 0.4, foreign: 0.4, landline: 0.1, anonymous: 0.1 }')
  ) {
    const cg = r.group(g.callerIds, `${p}.callerIds`, CALLER_ID_KINDS);
    if (cg) {
      const weights = { premium: 0, foreign: 0, landline: 0, anonymous: 0 };
      let ok = true;
      for (const kind of CALLER_ID_KINDS) {
        if (cg[kind] === undefined) continue;
        const w = r.share(cg[kind], `${p}.callerIds.${kind}`);
        if (w === null) ok = false;
        else weights[kind] = w;
      }
      if (ok && CALLER_ID_KINDS.every((k) => weights[k] === 0)) {
        r.fail(
          `${p}.callerIds`,
          `needs at least one kind with a share above 0 (${CALLER_ID_KINDS.join(', ')})`,
        );
      } else if (ok) callerIds = weights;
    }
  }
  const textShare = opt(g, 'textShare', 0.5, (v) => r.share(v, `${p}.textShare`));
  const texts = opt(g, 'texts', [...SPOOFED_TEXTS], (v) => r.texts(v, `${p}.texts`));
  const pacing = opt(g, 'pacing', { pause: { minMs: 30_000, maxMs: 600_000 }, burst: null }, (v) =>
    readPacing(r, v, `${p}.pacing`),
  );
  if (
    count === null ||
    !window ||
    !contacts ||
    !callerIds ||
    textShare === null ||
    !texts ||
    !pacing
  )
    return null;
  return { count, window, contacts, callerIds, textShare, texts, pacing };
}

const TOP_LEVEL = [
  'name',
  'description',
  'seed',
  'start',
  'duration',
  'ordinary',
  'curious',
  'raiders',
  'bots',
  'spoofed',
  'targets',
];

function readTargets(r: Reader, value: unknown): ScenarioTargets | null {
  const p = 'targets';
  const g = r.group(value, p, [
    'raidSpend',
    'servedBeforeExpiry',
    'onTimeOutsideShield',
    'detectWithin',
  ]);
  if (!g) return null;
  const d = DEFAULT_TARGETS;
  const raidSpend = opt(g, 'raidSpend', d.raidSpend, (v) => r.share(v, `${p}.raidSpend`));
  const servedBeforeExpiry = opt(g, 'servedBeforeExpiry', d.servedBeforeExpiry, (v) =>
    r.share(v, `${p}.servedBeforeExpiry`),
  );
  const onTimeOutsideShield = opt(g, 'onTimeOutsideShield', d.onTimeOutsideShield, (v) =>
    r.share(v, `${p}.onTimeOutsideShield`),
  );
  const detectWithinMs = opt(g, 'detectWithin', d.detectWithinMs, (v) =>
    r.duration(v, `${p}.detectWithin`, { positive: true }),
  );
  if (
    raidSpend === null ||
    servedBeforeExpiry === null ||
    onTimeOutsideShield === null ||
    detectWithinMs === null
  )
    return null;
  return { raidSpend, servedBeforeExpiry, onTimeOutsideShield, detectWithinMs };
}

/** Validates parsed data (from YAML or JSON) into a scenario; throws a ScenarioError listing every mistake. */
export function readScenario(data: unknown, sourceName: string): Scenario {
  const r = new Reader(sourceName);
  const top = data === null || data === undefined ? null : r.group(data, '', TOP_LEVEL);
  if (!top) {
    if (r.errors.length === 0)
      r.fail('', 'is empty: start from a copy of scenarios/raid-2017.yaml');
    throw new ScenarioError(r.errors);
  }
  const name = r.required(top, 'name', '', 'my-raid') ? r.text(top.name, 'name') : null;
  const description = opt(top, 'description', '', (v) =>
    typeof v === 'string' ? v.trim() : r.fail('description', `must be a text (got ${shown(v)})`),
  );
  const seed = r.required(top, 'seed', '', '2017')
    ? r.number(top.seed, 'seed', { min: 0, max: 4_294_967_295, integer: true })
    : null;
  let start: string | null = null;
  let startMs: number | null = null;
  if (r.required(top, 'start', '', '"2017-10-21T14:00:00+02:00"')) {
    const ms =
      typeof top.start === 'string' && ISO_WITH_OFFSET.test(top.start.trim())
        ? Date.parse(top.start.trim())
        : NaN;
    if (Number.isNaN(ms)) {
      r.fail(
        'start',
        `must be a date and time with its UTC offset, in quotes, like "2017-10-21T14:00:00+02:00" (got ${shown(top.start)})`,
      );
    } else {
      start = (top.start as string).trim();
      startMs = ms;
    }
  }
  const durationMs = r.required(top, 'duration', '', '8h')
    ? r.duration(top.duration, 'duration', { positive: true })
    : null;
  if (durationMs !== null && durationMs > MAX_DURATION_MS) {
    r.fail('duration', `must be at most 31d (got ${shown(top.duration)})`);
  }
  const total = durationMs !== null && durationMs <= MAX_DURATION_MS ? durationMs : null;
  const population = <T>(
    key: string,
    read: (r: Reader, v: unknown, totalMs: number) => T | null,
  ): T | null | undefined => {
    if (top[key] === undefined || top[key] === null) return null;
    if (total === null) return undefined; // windows cannot be checked without a valid duration
    return read(r, top[key], total) ?? undefined;
  };
  const scenario = {
    ordinary: population('ordinary', readOrdinary),
    curious: population('curious', readCurious),
    raiders: population('raiders', readRaiders),
    bots: population('bots', readBots),
    spoofed: population('spoofed', readSpoofed),
  };
  const targets =
    top.targets === undefined || top.targets === null
      ? { ...DEFAULT_TARGETS }
      : readTargets(r, top.targets);
  if (r.errors.length > 0) throw new ScenarioError(r.errors);
  return {
    name: name!,
    description: description!,
    seed: seed!,
    start: start!,
    startMs: startMs!,
    durationMs: durationMs!,
    ordinary: scenario.ordinary ?? null,
    curious: scenario.curious ?? null,
    raiders: scenario.raiders ?? null,
    bots: scenario.bots ?? null,
    spoofed: scenario.spoofed ?? null,
    targets: targets!,
    source: sourceName,
  };
}

/**
 * Parses a scenario's text. `sourceName` names it in messages; a name ending in .json is read as
 * JSON, anything else as YAML.
 */
export function parseScenario(text: string, sourceName: string): Scenario {
  let data: unknown;
  if (extname(sourceName).toLowerCase() === '.json') {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ScenarioError([`${sourceName}: not valid JSON: ${(error as Error).message}`]);
    }
  } else {
    try {
      data = parseYaml(text);
    } catch (error) {
      if (error instanceof YAMLParseError) {
        const where = error.linePos?.[0] ? ` (line ${error.linePos[0].line})` : '';
        const first = error.message.split('\n')[0];
        throw new ScenarioError([`${sourceName}: not valid YAML${where}: ${first}`]);
      }
      throw error;
    }
  }
  return readScenario(data, sourceName);
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** How a file is named in messages: relative to the working folder when inside it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * Loads a scenario by bare name ("raid-2017" → <dir>/raid-2017.yaml, .yml or .json) or by path
 * (anything with a folder separator or an extension, read as is).
 */
export function loadScenario(pathOrName: string, dir: string = SCENARIOS_DIR): Scenario {
  const isPath = /[\\/]/.test(pathOrName) || EXTENSIONS.includes(extname(pathOrName).toLowerCase());
  let file: string | undefined;
  if (isPath) {
    file = resolve(pathOrName);
    if (!existsSync(file)) throw new ScenarioError([`${pathOrName}: no such scenario file`]);
  } else {
    file = EXTENSIONS.map((ext) => join(dir, `${pathOrName}${ext}`)).find((f) => existsSync(f));
    if (!file) {
      const known = listScenarios(dir).map((s) => s.name);
      const list = known.length ? `; available: ${known.join(', ')}` : '';
      throw new ScenarioError([`no scenario named "${pathOrName}" in ${displayPath(dir)}${list}`]);
    }
  }
  return parseScenario(readFileSync(file, 'utf8'), displayPath(file));
}

export interface ScenarioListing {
  /** Bare name to pass to loadScenario. */
  name: string;
  path: string;
  /** First line of the description; null when the file does not load. */
  summary: string | null;
  /** Why the file does not load, or null. */
  error: string | null;
}

/** The scenario files of a folder, sorted by name, each checked. */
export function listScenarios(dir: string = SCENARIOS_DIR): ScenarioListing[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const name = basename(f, extname(f));
      try {
        const s = parseScenario(readFileSync(path, 'utf8'), displayPath(path));
        return { name, path, summary: s.description.split('\n')[0] ?? '', error: null };
      } catch (error) {
        return { name, path, summary: null, error: (error as Error).message };
      }
    });
}
