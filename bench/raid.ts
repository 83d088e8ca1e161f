/**
 * `npm run bench:raid`: replays every shipped scenario with the default settings and prints two
 * tables: the figures of each replay, and each scenario's targets with what was measured. The
 * baseline, measured in the same run from the same contacts, is a naive autoresponder that pays one
 * reply per contact; raid spend is reported as its ratio. A last row replays raid-2017 with a larger
 * daily cap, to show how much of a miss is budget.
 *
 *   node bench/raid.ts [--only raid-2017] [--daily 10]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { formatDuration } from '../src/domain/duration.ts';
import { formatMoney } from '../src/domain/types.ts';
import { summarise, type SimSummary } from '../src/simulate/report.ts';
import { replay } from '../src/simulate/run.ts';
import { listScenarios, loadScenario } from '../src/simulate/scenario.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, daily: { type: 'string', default: '10' } },
});

/** Default settings: only a secret (the replay's database is thrown away) and the variant's cap. */
function settings(extra: Record<string, string> = {}) {
  return loadConfig({
    NONMERCI_SECRET: randomBytes(32).toString('base64url'),
    NONMERCI_DATA_DIR: '/nonexistent',
    ...extra,
  });
}

const runs: { label: string; s: SimSummary }[] = [];
const names = values.only ? [values.only] : listScenarios().map((l) => l.name);
for (const name of names) {
  const outcome = await replay(loadScenario(name), settings());
  runs.push({ label: name, s: summarise(outcome) });
  process.stderr.write(`${name}: ${(outcome.wallMs / 1000).toFixed(1)} s\n`);
}
if (!values.only) {
  const outcome = await replay(loadScenario('raid-2017'), settings({ BUDGET_DAILY: values.daily }));
  runs.push({ label: `raid-2017, BUDGET_DAILY=${values.daily}`, s: summarise(outcome) });
}

const money = (m: number, s: SimSummary) => formatMoney(m, s.currency);
/** Durations to the second: a replay steps every 10 s, finer digits mean nothing. */
const span = (ms: number) => formatDuration(Math.round(ms / 1000) * 1000);
const pct = (n: number, digits = 0) => `${n.toFixed(digits)} %`;

function table(head: string[], rows: string[][], left: number[]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((_, i) => (left.includes(i) ? '---' : '--:')).join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

table(
  [
    'scenario',
    'contacts',
    'naive spend',
    'spend',
    'raid spend (vs naive)',
    'ordinary served before expiry',
    'on time',
    'on time, came outside shield',
    'max late',
    'raiders replied',
    'spoofed texted',
    'caps',
    'shield',
    'detect',
    'wall',
  ],
  runs.map(({ label, s }) => {
    const o = s.ordinary;
    return [
      label,
      s.contacts.total.toLocaleString('en'),
      money(s.naiveSpendMicros, s),
      money(s.spend.totalMicros, s),
      `${money(s.spend.raidMicros, s)} (${pct(s.raidSpendPctOfNaive, 2)})`,
      `${o.served}/${o.reachable} (${pct(o.servedPct)})`,
      `${o.onTime}/${o.reachable} (${pct(o.onTimePct)})`,
      `${o.outsideShield.onTime}/${o.outsideShield.reachable} (${pct(o.outsideShield.pct)})`,
      o.latenessMaxMs === null ? '—' : span(o.latenessMaxMs),
      `${s.raidersRepliedTo}`,
      `${s.spoofedDestinationsTexted}`,
      s.capsHeld ? 'held' : 'EXCEEDED',
      s.shieldEngaged ? span(s.shieldMs) : 'off',
      s.timeToDetectMs === null ? '—' : span(s.timeToDetectMs),
      `${(s.wallMs / 1000).toFixed(1)} s`,
    ];
  }),
  [0],
);
console.log('');
table(
  ['scenario', 'target', 'measured', 'met'],
  runs.flatMap(({ label, s }) =>
    s.targets.map((t, i) => [i === 0 ? label : '', t.name, t.detail, t.ok ? '✓' : '✗ MISSED']),
  ),
  [0, 1, 2],
);
