/**
 * The replay's report: "what would this raid cost me?". `summarise` reduces a replay's outcome to
 * plain numbers and checks them against the shield's targets; `renderText` prints them for a
 * terminal and `renderHtml` makes one self-contained page (chart included, nothing fetched).
 *
 * Times: SimEvent.at and raidStartsAt are offsets from the replay's start (types.ts says so);
 * reply and shield times are read as epoch ms like start/end (they come from storage), and any
 * value below 1e11 (1973) is taken as an offset already, so either convention reads right.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatDuration } from '../domain/duration.ts';
import { formatMoneyIn, type Language } from '../domain/types.ts';
import { DEFAULT_TARGETS, type ScenarioTargets } from './scenario.ts';
import type { SimOutcome, SimReply, SimRole, SimSettings } from './types.ts';

export const ROLES: readonly SimRole[] = ['ordinary', 'curious', 'raider', 'bot', 'spoofed'];
/** Roles whose spend is the raid's cost. */
export const RAID_ROLES: readonly SimRole[] = ['raider', 'bot', 'spoofed'];

export type TargetId =
  | 'raid_spend'
  | 'ordinary_before_expiry'
  | 'ordinary_on_time_outside_shield'
  | 'shield_detected'
  | 'caps_held'
  | 'no_spoofed_texted'
  | 'shield_off'
  | 'ordinary_all_on_time';

/**
 * What happened to one group (role) of people. "On time": the SMS left within one worker poll of
 * falling due (REPLY_DELAY after the first contact), or, for a reply that fell due while the shield
 * was on, within one poll of the shield switching off: the pacing's promise (a paced reply goes
 * out as the reserve allows, at the latest when the raid is over, caps permitting).
 */
export interface GroupStats {
  /** Distinct people. */
  people: number;
  /** Of them, with a mobile of an allowed country: those an SMS may reach. */
  reachable: number;
  /** Got their SMS before it expired. */
  served: number;
  onTime: number;
}

export interface SimTarget {
  id: TargetId;
  /** English name and detail; the renderers localise from `id` and the summary's numbers. */
  name: string;
  ok: boolean;
  detail: string;
}

export interface SimSummary {
  scenario: { name: string; description: string };
  settings: SimSettings;
  currency: string;
  /** Epoch ms of the virtual start and end. */
  start: number;
  end: number;
  contacts: { total: number; byRole: Record<SimRole, number> };
  /** Distinct synthetic people per role. */
  actors: Record<SimRole, number>;
  repliesSent: number;
  spend: { totalMicros: number; raidMicros: number; ordinaryMicros: number; curiousMicros: number };
  /** What answering every contact would cost: contacts × settings.replyCostMicros. */
  naiveSpendMicros: number;
  /** Spend on raider, bot and spoofed callers as a percentage (0–100) of the naive spend. */
  raidSpendPctOfNaive: number;
  /** Per group: who got their SMS, before expiry and on time. */
  groups: Record<SimRole, GroupStats>;
  ordinary: GroupStats & {
    /** Percentage (0–100) of reachable ordinary callers served before expiry; 100 when none. */
    servedPct: number;
    /** Percentage (0–100) of reachable ordinary callers served on time; 100 when none. */
    onTimePct: number;
    /** Those whose first contact came outside shield periods, and how many of them on time. */
    outsideShield: { reachable: number; onTime: number; pct: number };
    /** How long after falling due the SMS left (median, max), for those served. */
    latenessMedianMs: number | null;
    latenessMaxMs: number | null;
  };
  /** The targets this replay was checked against. */
  goals: ScenarioTargets;
  /** Distinct curious people who got an SMS. */
  curiousRepliedTo: number;
  /** Distinct raiders and bots who got an SMS. */
  raidersRepliedTo: number;
  /** SMS sent to a number that is not a mobile, or to a spoofed caller: must be 0. */
  spoofedDestinationsTexted: number;
  capsHeld: boolean;
  /** Budget rows over their cap (empty when caps held). */
  capsExceeded: { period: string; spentMicros: number; capMicros: number }[];
  /** Budget row closest to its cap, for the report. */
  fullestBudget: { period: string; spentMicros: number; capMicros: number } | null;
  raidStartsAt: number | null;
  /** First shield period's start minus the raid's start; null without a raid or a shield. */
  timeToDetectMs: number | null;
  shieldEngaged: boolean;
  shieldMs: number;
  shieldPeriods: number;
  wallMs: number;
  targets: SimTarget[];
}

/** A time of a reply or shield period as ms from the replay's start (see the module comment). */
export function toOffset(outcome: Pick<SimOutcome, 'start'>, t: number): number {
  return t >= 1e11 ? t - outcome.start : t;
}

function byRole(): Record<SimRole, number> {
  return { ordinary: 0, curious: 0, raider: 0, bot: 0, spoofed: 0 };
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);
const isSent = (r: SimReply) => r.sentAt !== null;

/** Reduces a replay's outcome to the report's figures and checks the targets. */
export function summarise(outcome: SimOutcome): SimSummary {
  const { settings } = outcome;
  const contacts = byRole();
  const actorSets = Object.fromEntries(ROLES.map((r) => [r, new Set<string>()])) as Record<
    SimRole,
    Set<string>
  >;
  for (const e of outcome.events) {
    contacts[e.role]++;
    actorSets[e.role].add(e.actor);
  }
  const actors = byRole();
  for (const role of ROLES) actors[role] = actorSets[role].size;

  const sent = outcome.replies.filter(isSent);
  const spendOf = (roles: readonly SimRole[]) =>
    sent.filter((r) => roles.includes(r.role)).reduce((s, r) => s + r.costMicros, 0);
  const spend = {
    totalMicros: sent.reduce((s, r) => s + r.costMicros, 0),
    raidMicros: spendOf(RAID_ROLES),
    ordinaryMicros: spendOf(['ordinary']),
    curiousMicros: spendOf(['curious']),
  };
  const naiveSpendMicros = outcome.events.length * settings.replyCostMicros;

  // Shield periods as offsets, for the on-time rule and the detection time.
  const periods = outcome.shieldPeriods
    .map((p) => ({
      from: toOffset(outcome, p.from),
      to: p.to === null ? outcome.end - outcome.start : toOffset(outcome, p.to),
    }))
    .sort((a, b) => a.from - b.from);
  const inShield = (offset: number) => periods.find((p) => offset >= p.from && offset < p.to);
  const poll = settings.pollMs ?? 0;
  const onTime = (r: SimReply): boolean => {
    if (r.sentAt === null) return false;
    const due = toOffset(outcome, r.dueAt);
    const period = inShield(due);
    const deadline = (period ? Math.max(due, period.to) : due) + poll;
    return toOffset(outcome, r.sentAt) <= deadline;
  };
  const allowed = new Set(settings.allowedCountries ?? ['FR']);
  const reachable = (r: SimReply) =>
    r.destinationType === 'mobile' &&
    r.destinationCountry !== null &&
    allowed.has(r.destinationCountry);

  // Each person's reply (the first one, should there be several): served, on time, how late.
  const firstReply = new Map<string, SimReply>();
  for (const r of outcome.replies) {
    const seen = firstReply.get(r.actor);
    if (!seen || r.scheduledAt < seen.scheduledAt) firstReply.set(r.actor, r);
  }
  const groups = Object.fromEntries(
    ROLES.map((role) => [role, { people: actors[role], reachable: 0, served: 0, onTime: 0 }]),
  ) as Record<SimRole, GroupStats>;
  const outsideShield = { reachable: 0, onTime: 0, pct: 100 };
  const lateness: number[] = [];
  for (const r of firstReply.values()) {
    if (!actorSets[r.role].has(r.actor)) continue;
    const g = groups[r.role];
    if (reachable(r)) g.reachable++;
    if (isSent(r) && toOffset(outcome, r.sentAt!) <= toOffset(outcome, r.expiresAt) + poll)
      g.served++;
    if (onTime(r)) g.onTime++;
    if (r.role !== 'ordinary') continue;
    if (isSent(r)) lateness.push(r.sentAt! - r.dueAt);
    if (reachable(r) && !inShield(toOffset(outcome, r.scheduledAt))) {
      outsideShield.reachable++;
      if (onTime(r)) outsideShield.onTime++;
    }
  }
  lateness.sort((a, b) => a - b);
  outsideShield.pct =
    outsideShield.reachable === 0 ? 100 : pct(outsideShield.onTime, outsideShield.reachable);
  const o = groups.ordinary;
  const ordinary = {
    ...o,
    servedPct: o.reachable === 0 ? 100 : pct(o.served, o.reachable),
    onTimePct: o.reachable === 0 ? 100 : pct(o.onTime, o.reachable),
    outsideShield,
    latenessMedianMs: median(lateness),
    latenessMaxMs: lateness.at(-1) ?? null,
  };

  const distinctSent = (roles: readonly SimRole[]) =>
    new Set(sent.filter((r) => roles.includes(r.role)).map((r) => r.actor)).size;
  const spoofedDestinationsTexted = sent.filter(
    (r) => r.destinationType !== 'mobile' || r.role === 'spoofed',
  ).length;

  const capsExceeded = outcome.budget.filter((b) => b.spentMicros > b.capMicros);
  const fullestBudget =
    [...outcome.budget].sort(
      (a, b) => b.spentMicros / (b.capMicros || 1) - a.spentMicros / (a.capMicros || 1),
    )[0] ?? null;

  const shieldMs = periods.reduce((s, p) => s + Math.max(0, p.to - p.from), 0);
  const firstShield = periods[0]?.from ?? null;
  const timeToDetectMs =
    outcome.raidStartsAt === null || firstShield === null
      ? null
      : firstShield - outcome.raidStartsAt;

  const summary: SimSummary = {
    scenario: outcome.scenario,
    settings,
    currency: settings.currency,
    start: outcome.start,
    end: outcome.end,
    contacts: { total: outcome.events.length, byRole: contacts },
    actors,
    repliesSent: sent.length,
    spend,
    naiveSpendMicros,
    raidSpendPctOfNaive: pct(spend.raidMicros, naiveSpendMicros),
    groups,
    ordinary,
    goals: outcome.targets ?? DEFAULT_TARGETS,
    curiousRepliedTo: distinctSent(['curious']),
    raidersRepliedTo: distinctSent(['raider', 'bot']),
    spoofedDestinationsTexted,
    capsHeld: capsExceeded.length === 0,
    capsExceeded,
    fullestBudget,
    raidStartsAt: outcome.raidStartsAt,
    timeToDetectMs,
    shieldEngaged: periods.length > 0,
    shieldMs,
    shieldPeriods: periods.length,
    wallMs: outcome.wallMs,
    targets: [],
  };
  summary.targets = checkTargets(summary);
  return summary;
}

function checkTargets(s: SimSummary): SimTarget[] {
  const o = s.ordinary;
  const goal = s.goals;
  const ids: [TargetId, boolean][] =
    s.raidStartsAt === null
      ? [
          ['shield_off', !s.shieldEngaged],
          ['ordinary_all_on_time', o.onTime >= o.reachable],
        ]
      : [
          ['raid_spend', s.raidSpendPctOfNaive <= goal.raidSpend * 100 + 1e-9],
          ['ordinary_before_expiry', o.servedPct >= goal.servedBeforeExpiry * 100 - 1e-9],
          [
            'ordinary_on_time_outside_shield',
            o.outsideShield.pct >= goal.onTimeOutsideShield * 100 - 1e-9,
          ],
          ['shield_detected', s.timeToDetectMs !== null && s.timeToDetectMs <= goal.detectWithinMs],
        ];
  ids.push(['caps_held', s.capsHeld], ['no_spoofed_texted', s.spoofedDestinationsTexted === 0]);
  return ids.map(([id, ok]) => ({
    id,
    name: WORDS.en.targetNames[id](s),
    ok,
    detail: targetDetail(id, s, 'en'),
  }));
}

/** What a target's figure was, in words. */
function targetDetail(id: TargetId, s: SimSummary, language: Language): string {
  const w: Words = WORDS[language];
  const money = (micros: number) => formatMoneyIn(micros, s.currency, language);
  const o = s.ordinary;
  const share = (part: number, whole: number, p: number) =>
    `${part}/${whole} (${formatPct(p, language)})`;
  switch (id) {
    case 'raid_spend':
      return w.raidSpendDetail(
        formatPct(s.raidSpendPctOfNaive, language, 2),
        money(s.spend.raidMicros),
        money(s.naiveSpendMicros),
      );
    case 'ordinary_before_expiry':
      return share(o.served, o.reachable, o.servedPct);
    case 'ordinary_all_on_time':
      return share(o.onTime, o.reachable, o.onTimePct);
    case 'ordinary_on_time_outside_shield':
      return share(o.outsideShield.onTime, o.outsideShield.reachable, o.outsideShield.pct);
    case 'shield_detected':
      return s.timeToDetectMs === null
        ? w.notDetected
        : s.timeToDetectMs >= 0
          ? w.detected(dur(s.timeToDetectMs))
          : w.detectedBefore(dur(-s.timeToDetectMs));
    case 'caps_held':
      if (!s.capsHeld) {
        return s.capsExceeded
          .map((b) => `${b.period}: ${money(b.spentMicros)} > ${money(b.capMicros)}`)
          .join('; ');
      }
      return s.fullestBudget
        ? `${s.fullestBudget.period}: ${money(s.fullestBudget.spentMicros)} / ${money(s.fullestBudget.capMicros)}`
        : w.nothingSpent;
    case 'no_spoofed_texted':
      return w.spoofedDetail(s.spoofedDestinationsTexted);
    case 'shield_off':
      return s.shieldEngaged ? w.shieldOn(dur(s.shieldMs), s.shieldPeriods) : w.stayedOff;
  }
}

// ---------------------------------------------------------------------------------------------
// Buckets for the chart

export interface SimBuckets {
  bucketMs: number;
  /** Start of each bucket, ms from the replay's start. */
  offsets: number[];
  /** Contacts from raiders, bots and spoofed ids. */
  raid: number[];
  curious: number[];
  ordinary: number[];
  /** SMS sent in the bucket (every role), and to ordinary callers. */
  replies: number[];
  repliesOrdinary: number[];
  /** Spend on sent SMS up to the end of the bucket (micros). */
  spendMicros: number[];
  /** Shield periods, ms from the start; an open one runs to the end of the last bucket. */
  shield: { from: number; to: number }[];
}

/**
 * Counts per time bucket, from the start to the last thing that happened (a contact, a reply
 * falling due or sent, the shield going off), not to the replay's end: the driver keeps the clock
 * running for a day after the traffic so that every reply settles, and that quiet tail would
 * squash the chart. Contacts by kind, replies sent, cumulative spend.
 */
export function bucketise(outcome: SimOutcome, bucketMs: number): SimBuckets {
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0 (got ${bucketMs})`);
  const sent = outcome.replies.filter(isSent).map((r) => ({ r, at: toOffset(outcome, r.sentAt!) }));
  const periods = outcome.shieldPeriods.map((p) => ({
    from: toOffset(outcome, p.from),
    to: p.to === null ? null : toOffset(outcome, p.to),
  }));
  let last = 1;
  for (const e of outcome.events) last = Math.max(last, e.at + 1);
  for (const r of outcome.replies) last = Math.max(last, toOffset(outcome, r.dueAt) + 1);
  for (const s of sent) last = Math.max(last, s.at + 1);
  for (const p of periods) last = Math.max(last, (p.to ?? p.from) + 1);
  const n = Math.ceil(last / bucketMs);
  const zeros = () => new Array<number>(n).fill(0);
  const b: SimBuckets = {
    bucketMs,
    offsets: Array.from({ length: n }, (_, i) => i * bucketMs),
    raid: zeros(),
    curious: zeros(),
    ordinary: zeros(),
    replies: zeros(),
    repliesOrdinary: zeros(),
    spendMicros: zeros(),
    shield: periods.map((p) => ({ from: p.from, to: p.to ?? n * bucketMs })),
  };
  const index = (at: number) => Math.min(n - 1, Math.max(0, Math.floor(at / bucketMs)));
  for (const e of outcome.events) {
    const series = RAID_ROLES.includes(e.role)
      ? b.raid
      : e.role === 'curious'
        ? b.curious
        : b.ordinary;
    series[index(e.at)]!++;
  }
  const spent = zeros();
  for (const { r, at } of sent) {
    const i = index(at);
    b.replies[i]!++;
    if (r.role === 'ordinary') b.repliesOrdinary[i]!++;
    spent[i]! += r.costMicros;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += spent[i]!;
    b.spendMicros[i] = total;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Words

const WORDS = {
  en: {
    title: 'nonmerci replay',
    start: 'Start',
    traffic: 'traffic',
    virtual: 'virtual time',
    ranIn: 'replayed in',
    contacts: 'Contacts',
    people: 'people',
    roles: {
      ordinary: 'ordinary',
      curious: 'curious',
      raider: 'raiders',
      bot: 'bots',
      spoofed: 'spoofed ids',
    } as Record<SimRole, string>,
    repliesSent: 'Replies sent',
    spend: 'Spend',
    onRaid: 'on raiders, bots, spoofed',
    onOrdinary: 'on ordinary callers',
    onCurious: 'on curious',
    ofNaive: 'of naive',
    naive: 'Naive autoresponder',
    naiveNote: 'every contact answered',
    ordinaryServed: 'Ordinary callers served',
    beforeExpiry: 'before expiry',
    onTime: 'on time',
    outsideShield: 'came outside shield periods, on time',
    lateness: 'lateness (median, max)',
    groups: 'By group: served before expiry',
    notDetected: 'never switched on',
    curiousReplied: 'Curious replied to',
    raidersReplied: 'Raiders and bots replied to',
    spoofedTexted: 'Non-mobile or spoofed ids texted',
    caps: 'Daily and monthly caps',
    held: 'held',
    exceeded: 'EXCEEDED',
    shield: 'Shield',
    shieldOff: 'never engaged',
    shieldOn: (ms: string, n: number) => `on ${ms} in ${n} period${n > 1 ? 's' : ''}`,
    detected: (ms: string) => `engaged ${ms} after the raid began`,
    detectedBefore: (ms: string) => `engaged ${ms} before the raid began`,
    noRaid: 'no raid in this scenario',
    targets: 'Targets',
    settings: 'Settings',
    replyDelay: 'reply delay',
    price: 'price per segment',
    replyCost: 'cost of one reply',
    dailyCap: 'daily cap',
    monthlyCap: 'monthly cap',
    shieldSettings: 'shield',
    chart:
      'Contacts and SMS sent per 5 minutes; cumulative spend (right axis). Shaded in purple: shield on.',
    series: {
      raid: 'raid contacts',
      curious: 'curious contacts',
      ordinary: 'ordinary contacts',
      replies: 'SMS sent',
      spend: 'spend',
    },
    figures: 'Figures',
    wall: 'Replay computed in',
    targetNames: {
      raid_spend: (s) => `raid spend ≤ ${pctOf(s.goals.raidSpend, 'en')} of naive`,
      ordinary_before_expiry: (s) =>
        `≥ ${pctOf(s.goals.servedBeforeExpiry, 'en')} of ordinary callers served before expiry`,
      ordinary_on_time_outside_shield: (s) =>
        `≥ ${pctOf(s.goals.onTimeOutsideShield, 'en')} of those outside shield periods on time`,
      shield_detected: (s) => `shield on within ${dur(s.goals.detectWithinMs)} of the raid's start`,
      caps_held: () => 'caps never exceeded',
      no_spoofed_texted: () => 'no spoofed or non-mobile number texted',
      shield_off: () => 'shield never engaged',
      ordinary_all_on_time: () => 'every ordinary caller with an allowed mobile served on time',
    } as Record<TargetId, (s: SimSummary) => string>,
    none: 'none',
    off: 'off',
    stayedOff: 'stayed off',
    periods: (n: number) => `${n} period${n > 1 ? 's' : ''}`,
    colon: ':',
    nothingSpent: 'nothing spent',
    chartTitle: 'Over time',
    raidSpendDetail: (p: string, raid: string, naive: string) => `${p} (${raid} of ${naive})`,
    spoofedDetail: (n: number) => `${n} SMS to spoofed or non-mobile numbers`,
  },
  fr: {
    title: 'Rejeu nonmerci',
    start: 'Début',
    traffic: 'trafic',
    virtual: 'temps simulé',
    ranIn: 'rejoué en',
    contacts: 'Contacts',
    people: 'personnes',
    roles: {
      ordinary: 'ordinaires',
      curious: 'curieux',
      raider: 'raideurs',
      bot: 'bots',
      spoofed: 'numéros usurpés',
    } as Record<SimRole, string>,
    repliesSent: 'SMS envoyés',
    spend: 'Dépense',
    onRaid: 'pour raideurs, bots, usurpés',
    onOrdinary: 'pour les appelants ordinaires',
    onCurious: 'pour les curieux',
    ofNaive: 'du naïf',
    naive: 'Répondeur naïf',
    naiveNote: 'chaque contact reçoit un SMS',
    ordinaryServed: 'Appelants ordinaires servis',
    beforeExpiry: 'avant expiration',
    onTime: 'à l’heure',
    outsideShield: 'venus hors bouclier, servis à l’heure',
    lateness: 'retard (médiane, max)',
    groups: 'Par groupe : servis avant expiration',
    notDetected: 'jamais activé',
    curiousReplied: 'Curieux ayant reçu un SMS',
    raidersReplied: 'Raideurs et bots ayant reçu un SMS',
    spoofedTexted: 'SMS vers des numéros usurpés ou non mobiles',
    caps: 'Plafonds jour et mois',
    held: 'respectés',
    exceeded: 'DÉPASSÉS',
    shield: 'Bouclier',
    shieldOff: 'jamais activé',
    shieldOn: (ms: string, n: number) => `actif ${ms} en ${n} période${n > 1 ? 's' : ''}`,
    detected: (ms: string) => `activé ${ms} après le début du raid`,
    detectedBefore: (ms: string) => `activé ${ms} avant le début du raid`,
    noRaid: 'pas de raid dans ce scénario',
    targets: 'Objectifs',
    settings: 'Réglages',
    replyDelay: 'délai de réponse',
    price: 'prix du segment',
    replyCost: 'coût d’une réponse',
    dailyCap: 'plafond journalier',
    monthlyCap: 'plafond mensuel',
    shieldSettings: 'bouclier',
    chart:
      'Contacts et SMS envoyés par tranche de 5 minutes ; dépense cumulée (axe de droite). En violet : bouclier actif.',
    series: {
      raid: 'contacts du raid',
      curious: 'contacts curieux',
      ordinary: 'contacts ordinaires',
      replies: 'SMS envoyés',
      spend: 'dépense',
    },
    figures: 'Chiffres',
    wall: 'Rejeu calculé en',
    targetNames: {
      raid_spend: (s) => `dépense du raid ≤ ${pctOf(s.goals.raidSpend, 'fr')} du naïf`,
      ordinary_before_expiry: (s) =>
        `≥ ${pctOf(s.goals.servedBeforeExpiry, 'fr')} des appelants ordinaires servis avant expiration`,
      ordinary_on_time_outside_shield: (s) =>
        `≥ ${pctOf(s.goals.onTimeOutsideShield, 'fr')} de ceux venus hors bouclier servis à l’heure`,
      shield_detected: (s) =>
        `bouclier activé moins de ${dur(s.goals.detectWithinMs)} après le début du raid`,
      caps_held: () => 'plafonds jamais dépassés',
      no_spoofed_texted: () => 'aucun SMS vers un numéro usurpé ou non mobile',
      shield_off: () => 'bouclier jamais activé',
      ordinary_all_on_time: () => 'chaque appelant ordinaire au mobile autorisé servi à l’heure',
    } as Record<TargetId, (s: SimSummary) => string>,
    none: 'aucun',
    off: 'inactif',
    stayedOff: 'resté inactif',
    periods: (n: number) => `${n} période${n > 1 ? 's' : ''}`,
    colon: ' :',
    nothingSpent: 'rien dépensé',
    chartTitle: 'Au fil du temps',
    raidSpendDetail: (p: string, raid: string, naive: string) => `${p} (${raid} sur ${naive})`,
    spoofedDetail: (n: number) => `${n} SMS vers des numéros usurpés ou non mobiles`,
  },
} satisfies Record<Language, unknown>;

type Words = (typeof WORDS)['en'];

function locale(language: Language): string {
  return language === 'fr' ? 'fr-FR' : 'en-GB';
}

function formatCount(n: number, language: Language): string {
  return new Intl.NumberFormat(locale(language)).format(n);
}

/** A share (0–1) as a percentage: "1 %", "99 %". */
function pctOf(share: number, language: Language): string {
  const n = share * 100;
  return formatPct(n, language, Math.abs(n - Math.round(n)) < 1e-9 ? 0 : 2);
}

function formatPct(n: number, language: Language, digits = 1): string {
  return `${new Intl.NumberFormat(locale(language), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n)} %`;
}

/** A duration for people, rounded: "850 ms", "42s", "31m", "5h40m". */
function dur(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 0) return `-${dur(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return formatDuration(Math.round(ms / 1000) * 1000);
  return formatDuration(Math.round(ms / 60_000) * 60_000);
}

/** Wall-clock time in seconds with one decimal: "4.3 s". */
function seconds(ms: number, language: Language): string {
  return `${new Intl.NumberFormat(locale(language), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(ms / 1000)} s`;
}

function formatStart(epochMs: number, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(new Date(epochMs));
}

/** One localised line per figure: [label, value, note]. Shared by the text and HTML reports. */
function figureRows(s: SimSummary, language: Language): [string, string, string][] {
  const w: Words = WORDS[language];
  const money = (micros: number) => formatMoneyIn(micros, s.currency, language);
  const count = (n: number) => formatCount(n, language);
  const rows: [string, string, string][] = [];
  rows.push([w.contacts, count(s.contacts.total), '']);
  for (const role of ROLES) {
    if (s.contacts.byRole[role] === 0) continue;
    rows.push([
      `  ${w.roles[role]}`,
      count(s.contacts.byRole[role]),
      `${count(s.actors[role])} ${w.people}`,
    ]);
  }
  rows.push([w.repliesSent, count(s.repliesSent), '']);
  rows.push([w.spend, money(s.spend.totalMicros), '']);
  rows.push([
    `  ${w.onRaid}`,
    money(s.spend.raidMicros),
    `${formatPct(s.raidSpendPctOfNaive, language, 2)} ${w.ofNaive}`,
  ]);
  rows.push([`  ${w.onOrdinary}`, money(s.spend.ordinaryMicros), '']);
  rows.push([`  ${w.onCurious}`, money(s.spend.curiousMicros), '']);
  rows.push([w.naive, money(s.naiveSpendMicros), w.naiveNote]);
  const o = s.ordinary;
  rows.push([
    w.ordinaryServed,
    `${count(o.served)} / ${count(o.reachable)}`,
    `${w.beforeExpiry}; ${count(o.onTime)} ${w.onTime} (${formatPct(o.onTimePct, language)}); ${count(o.outsideShield.onTime)} / ${count(o.outsideShield.reachable)} ${w.outsideShield}`,
  ]);
  rows.push([`  ${w.lateness}`, `${dur(o.latenessMedianMs)}, ${dur(o.latenessMaxMs)}`, '']);
  rows.push([w.groups, '', '']);
  for (const role of ROLES) {
    const g = s.groups[role];
    if (g.people === 0) continue;
    rows.push([
      `  ${w.roles[role]}`,
      `${count(g.served)} / ${count(g.people)}`,
      `${count(g.onTime)} ${w.onTime}`,
    ]);
  }
  rows.push([w.curiousReplied, count(s.curiousRepliedTo), `/ ${count(s.actors.curious)}`]);
  rows.push([
    w.raidersReplied,
    count(s.raidersRepliedTo),
    `/ ${count(s.actors.raider + s.actors.bot)}`,
  ]);
  rows.push([w.spoofedTexted, count(s.spoofedDestinationsTexted), '']);
  rows.push([
    w.caps,
    s.capsHeld ? w.held : w.exceeded,
    s.fullestBudget
      ? `${s.fullestBudget.period}: ${money(s.fullestBudget.spentMicros)} / ${money(s.fullestBudget.capMicros)}`
      : '',
  ]);
  const detection =
    s.raidStartsAt === null
      ? w.noRaid
      : s.timeToDetectMs === null
        ? ''
        : s.timeToDetectMs >= 0
          ? w.detected(dur(s.timeToDetectMs))
          : w.detectedBefore(dur(-s.timeToDetectMs));
  const periods = s.shieldEngaged ? w.periods(s.shieldPeriods) : '';
  rows.push([
    w.shield,
    s.shieldEngaged ? dur(s.shieldMs) : w.off,
    [periods, detection].filter(Boolean).join(' · '),
  ]);
  return rows;
}

function targetName(t: SimTarget, s: SimSummary, language: Language): string {
  return WORDS[language].targetNames[t.id](s);
}

function settingRows(settings: SimSettings, language: Language): [string, string][] {
  const w: Words = WORDS[language];
  const money = (micros: number, digits = 2) =>
    formatMoneyIn(micros, settings.currency, language, digits);
  const shield = Object.entries(settings.shield);
  return [
    [w.replyDelay, dur(settings.replyDelayMs)],
    [w.price, money(settings.segmentPriceMicros, 4)],
    [w.replyCost, money(settings.replyCostMicros)],
    [w.dailyCap, money(settings.dailyCapMicros)],
    [w.monthlyCap, money(settings.monthlyCapMicros)],
    ...(shield.length ? shield : [[w.shieldSettings, w.none] as [string, string]]),
  ];
}

/** Display width of a text: code points, so "€" and "é" count once. */
const width = (text: string) => [...text].length;
const padEnd = (text: string, n: number) => text + ' '.repeat(Math.max(0, n - width(text)));
const padStart = (text: string, n: number) => ' '.repeat(Math.max(0, n - width(text))) + text;

/** The report for a terminal: aligned figures, then each target with ✓ or ✗. */
export function renderText(
  summary: SimSummary,
  language: Language = 'en',
  timeZone = 'Europe/Paris',
): string {
  const w: Words = WORDS[language];
  const lines: string[] = [];
  lines.push(`${w.title}${w.colon} ${summary.scenario.name}`);
  if (summary.scenario.description) lines.push(summary.scenario.description);
  lines.push(
    `${w.start} ${formatStart(summary.start, language, timeZone)} (${timeZone}) · ` +
      `${dur(summary.end - summary.start)} ${w.virtual} · ${w.ranIn} ${seconds(summary.wallMs, language)}`,
  );
  lines.push('');
  const rows = figureRows(summary, language);
  const labelWidth = Math.max(...rows.map(([l]) => width(l)));
  const valueWidth = Math.max(...rows.map(([, v]) => width(v)));
  for (const [label, value, note] of rows) {
    lines.push(
      `${padEnd(label, labelWidth)}  ${padStart(value, valueWidth)}${note ? `  ${note}` : ''}`.trimEnd(),
    );
  }
  lines.push('');
  lines.push(`${w.targets}`);
  const names = summary.targets.map((t) => targetName(t, summary, language));
  const nameWidth = Math.max(0, ...names.map(width));
  summary.targets.forEach((t, i) => {
    const detail = targetDetail(t.id, summary, language);
    lines.push(`  ${t.ok ? '✓' : '✗'} ${padEnd(names[i]!, nameWidth)}  ${detail}`);
  });
  lines.push('');
  lines.push(w.settings);
  const settings = settingRows(summary.settings, language);
  const keyWidth = Math.max(...settings.map(([k]) => width(k)));
  for (const [k, v] of settings) lines.push(`  ${padEnd(k, keyWidth)}  ${v}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no "</script>", no "<!--", no line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

let uplotAssets: { js: string; css: string } | null = null;

/** uPlot's script and stylesheet, read once from node_modules to inline them. */
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    if (/<\/script/i.test(js) || /<\/style/i.test(css)) {
      throw new Error('uPlot assets contain a closing tag and cannot be inlined');
    }
    uplotAssets = { js, css };
  }
  return uplotAssets;
}

const PAGE_CSS = `
:root { color-scheme: light; --ok: #1a7f37; --ko: #cf222e; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  padding: 1rem; color: #1f2328; background: #fff; max-width: 960px; margin-inline: auto; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p.meta, p.note, footer { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sub { padding-left: 1.5rem; }
td.note { color: var(--muted); }
ul.targets { list-style: none; padding: 0; margin: 0; }
ul.targets li { padding: .35rem 0; }
.ok { color: var(--ok); font-weight: 600; }
.ko { color: var(--ko); font-weight: 600; }
#chart { width: 100%; min-height: 280px; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; word-break: break-word; }
@media (max-width: 560px) { body { padding: .6rem; font-size: 14px; } td.note { display: none; } }
`;

/** Draws the chart from the JSON block; plain ES2015 so any phone browser runs it. */
const CHART_JS = `
(function () {
  var d = JSON.parse(document.getElementById('sim-data').textContent);
  var el = document.getElementById('chart');
  var shade = {
    hooks: {
      drawClear: [function (u) {
        var ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = 'rgba(130, 80, 223, 0.13)';
        d.shield.forEach(function (p) {
          var x0 = Math.max(u.bbox.left, u.valToPos(p[0], 'x', true));
          var x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(p[1], 'x', true));
          if (x1 > x0) ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        });
        ctx.restore();
      }]
    }
  };
  function size() {
    var w = Math.max(280, el.clientWidth);
    return { width: w, height: Math.max(240, Math.min(420, Math.round(w * 0.55))) };
  }
  var timeFormat = new Intl.DateTimeFormat(d.locale, { timeZone: d.timeZone, hour: '2-digit', minute: '2-digit' });
  var dayFormat = new Intl.DateTimeFormat(d.locale, { timeZone: d.timeZone, day: 'numeric', month: 'short' });
  var time = function (s) { return timeFormat.format(new Date(s * 1000)); };
  var day = function (s) { return dayFormat.format(new Date(s * 1000)); };
  var count = function (u, v) { return v == null ? '0' : String(v); };
  // Sparse series (empty buckets are null) are drawn as dots only.
  var dots = function () { return null; };
  var opts = {
    width: size().width,
    height: size().height,
    tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), d.timeZone); },
    scales: {
      x: { time: true },
      // asinh: linear near zero, logarithmic above, so 3 ordinary callers and 1,000 raid contacts
      // share one axis.
      n: { distr: 4, asinh: 1, range: function (u, min, max) {
        return [0, uPlot.rangeAsinh(0, Math.max(1, max), 10, true)[1]];
      } },
      money: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } }
    },
    series: [
      { value: function (u, v) { return v == null ? '' : day(v) + ' ' + time(v); } },
      { label: d.labels.raid, scale: 'n', stroke: '#cf222e', width: 1.5, value: count },
      { label: d.labels.curious, scale: 'n', stroke: '#bf8700', width: 1.5, value: count },
      { label: d.labels.ordinary, scale: 'n', stroke: '#0969da', value: count, paths: dots,
        points: { show: true, size: 7, space: 0, fill: '#0969da' } },
      { label: d.labels.replies, scale: 'n', stroke: '#1a7f37', value: count, paths: dots,
        points: { show: true, size: 5, space: 0, fill: '#1a7f37' } },
      { label: d.labels.spend, scale: 'money', stroke: '#6e7781', width: 2, dash: [6, 4],
        value: function (u, v) { return v == null ? '—' : v.toFixed(2) + ' ' + d.currency; } }
    ],
    axes: [
      { values: function (u, splits) {
        var previous = null;
        return splits.map(function (v) {
          var label = day(v) === previous ? time(v) : time(v) + '\\n' + day(v);
          previous = day(v);
          return label;
        });
      } },
      // uPlot's asinh splits always include -1: leave negative ticks unlabelled.
      { scale: 'n', size: 50, values: function (u, splits) {
        return splits.map(function (v) { return v == null || v < 0 ? '' : uPlot.fmtNum(v); });
      } },
      { scale: 'money', side: 1, size: 60, grid: { show: false },
        values: function (u, vals) { return vals.map(function (v) { return v.toFixed(2); }); } }
    ],
    plugins: [shade]
  };
  var u = new uPlot(opts, d.series, el);
  window.addEventListener('resize', function () { u.setSize(size()); });
})();
`;

/**
 * The report as one self-contained HTML page: figures, targets, a chart of the replay in 5-minute
 * buckets with the shield's periods shaded, and the settings used. Nothing is fetched over the
 * network; every text is escaped.
 */
export function renderHtml(
  outcome: SimOutcome,
  summary: SimSummary,
  language: Language = 'fr',
  timeZone = 'Europe/Paris',
): string {
  const w: Words = WORDS[language];
  const b = bucketise(outcome, 5 * 60_000);
  const nullIfZero = (n: number) => (n === 0 ? null : n);
  const epochSeconds = (offset: number) => (outcome.start + offset) / 1000;
  const data = {
    timeZone,
    locale: locale(language),
    currency: summary.currency,
    labels: w.series,
    series: [
      b.offsets.map(epochSeconds),
      b.raid,
      b.curious,
      b.ordinary.map(nullIfZero),
      b.replies.map(nullIfZero),
      b.spendMicros.map((m) => m / 1_000_000),
    ],
    shield: b.shield.map((p) => [epochSeconds(p.from), epochSeconds(p.to)]),
  };
  const { js, css } = uplot();
  const figure = figureRows(summary, language)
    .map(([label, value, note]) => {
      const sub = label.startsWith('  ');
      return `<tr><td${sub ? ' class="sub"' : ''}>${escapeHtml(label.trim())}</td><td class="num">${escapeHtml(value)}</td><td class="note">${escapeHtml(note)}</td></tr>`;
    })
    .join('\n');
  const targets = summary.targets
    .map(
      (t) =>
        `<li><span class="${t.ok ? 'ok' : 'ko'}">${t.ok ? '✓' : '✗'}</span> ${escapeHtml(targetName(t, summary, language))} <span class="meta">— ${escapeHtml(targetDetail(t.id, summary, language))}</span></li>`,
    )
    .join('\n');
  const settings = settingRows(summary.settings, language)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('\n');
  const title = `${w.title} — ${summary.scenario.name}`;
  const meta =
    `${w.start} ${formatStart(summary.start, language, timeZone)} (${timeZone}) · ` +
    `${dur(summary.end - summary.start)} ${w.virtual}`;
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(summary.scenario.description)}</p>
<p class="meta">${escapeHtml(meta)}</p>
<h2>${escapeHtml(w.targets)}</h2>
<ul class="targets">
${targets}
</ul>
<h2>${escapeHtml(w.figures)}</h2>
<table>
${figure}
</table>
<h2>${escapeHtml(w.chartTitle)}</h2>
<div id="chart"></div>
<p class="note">${escapeHtml(w.chart)}</p>
<h2>${escapeHtml(w.settings)}</h2>
<dl class="settings">
${settings}
</dl>
<footer><p>${escapeHtml(`${w.wall} ${seconds(summary.wallMs, language)}.`)}</p></footer>
<script>${js}</script>
<script type="application/json" id="sim-data">${scriptJson(data)}</script>
<script>${CHART_JS}</script>
</body>
</html>
`;
}
