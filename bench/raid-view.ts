/**
 * Raid room benchmark: records a large raid through the real intake (member numbers that call and
 * text again and again, and spoofed numbers each used once, from a few blocks), then times every
 * query the raid view runs on it, as an open raid room asks for it. The baseline, measured in the
 * same run on the same rows, is counting the raid's contacts from the index on line and time: the
 * least any view of that window costs; each query's ratio is to it.
 *
 *   npm run bench:raid-view -- [--contacts 150000] [--only sqlite|postgres]
 *                              [--pg-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { assemble } from '../src/main.ts';
import { RaidRepo } from '../src/storage/raid-repo.ts';
import { LINE, testConfig } from '../test/support/hotline.ts';
import { throwawayDatabase } from './throwaway-database.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '150000' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const CONTACTS = Number(values.contacts);
const ROUNDS = Number(values.rounds);
const MEMBERS = 300;
/** Spoofed numbers come from this many blocks of 10,000 numbers (+33 7 RRRR NNNN). */
const BLOCKS = 50;
const TEXTS = ['sale connasse', 'réponds', 'lol', 'on est des milliers', 't ki', 'STOP', 'allô ?'];
const MINUTE = 60_000;

/**
 * The i-th contact's number: two in five from the members, in turn; the others spoofed, each used
 * once, taken in turn from the blocks (+33 7 BBBB NNNN), so that each block's ranges of 100 fill up.
 */
function numberOf(i: number): string {
  const round = Math.floor(i / 5);
  const seat = i % 5;
  if (seat < 2) return `+3363998${String((round * 2 + seat) % MEMBERS).padStart(4, '0')}`;
  const spoofed = round * 3 + seat - 2;
  const block = String(spoofed % BLOCKS).padStart(4, '0');
  return `+337${block}${String(Math.floor(spoofed / BLOCKS) % 10_000).padStart(4, '0')}`;
}

/** The median of `ROUNDS` timings of `fn`, in ms. */
async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function measure(name: 'sqlite' | 'postgres') {
  const t = await throwawayDatabase(name, values['pg-url']);
  const start = Date.UTC(2026, 10, 1, 15, 0);
  const clock = new ManualClock(start);
  const h = await assemble(testConfig(t.target), {
    clock,
    log: pino({ level: 'silent' }),
    lines: 'ensure',
  });
  try {
    // Spread over 50 minutes, taken in through the intake log and recorded by the processor.
    const step = (50 * MINUTE) / CONTACTS;
    const recordStart = performance.now();
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const text = i % 4 !== 0;
      batch.push(
        h.intake.accept('simulator', {
          kind: text ? 'text' : 'call',
          from: numberOf(i),
          to: LINE,
          providerSid: `SIM${i}`,
          body: text ? TEXTS[i % TEXTS.length]! : null,
        }),
      );
      if (batch.length === 512) {
        await Promise.all(batch.splice(0));
        clock.advance(Math.round(512 * step));
        await h.processor.drain();
      }
    }
    await Promise.all(batch);
    await h.processor.drain();
    const recordS = (performance.now() - recordStart) / 1000;

    const raid = new RaidRepo(h.storage.db);
    const line = (await h.lines.list())[0]!;
    const now = clock.now();
    const [from, end] = [start, now + 1];
    const chartStart = Math.floor((from - 10 * MINUTE) / MINUTE) * MINUTE;
    const queries: Array<[string, () => Promise<unknown>]> = [
      ['counts, the raid', () => raid.counts(line.id, from, end)],
      ['counts, last minute', () => raid.counts(line.id, now - MINUTE, now + 1)],
      ['counts, the week before', () => raid.counts(line.id, from - 7 * 86_400_000, from)],
      ['per minute', () => raid.perBucket(line.id, chartStart, now + 1, MINUTE)],
      ['sent per minute', () => raid.sentPerBucket(line.id, chartStart, now + 1, MINUTE)],
      ['replies', () => raid.replies(line.id, from, end)],
      ['without reply', () => raid.withoutReply(line.id, from, end)],
      ['spent', () => raid.spent(line.id, from, end)],
      ['top senders', () => raid.topSenders(line.id, from, end, 10)],
      ['top ranges', () => raid.topRanges(line.id, from, end, 10)],
      ['common texts', () => raid.commonTexts(line.id, from, end, 10)],
    ];
    const baseline = await median(() =>
      h.storage.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('line_id', '=', line.id)
        .where('received_at', '>=', from)
        .where('received_at', '<', end)
        .executeTakeFirstOrThrow(),
    );
    const timings: Array<[string, number]> = [];
    for (const [label, fn] of queries) timings.push([label, await median(fn)]);
    const counted = await raid.counts(line.id, from, end);
    return { name, recordS, baseline, timings, counted };
  } finally {
    await h.close();
    await t.drop();
  }
}

const names = (values.only ? [values.only] : ['sqlite', 'postgres']) as ('sqlite' | 'postgres')[];
const results: Array<Awaited<ReturnType<typeof measure>>> = [];
for (const name of names) results.push(await measure(name));
console.log(
  `\nRaid view, ${CONTACTS.toLocaleString('en')} contacts in 50 minutes: two in five from ` +
    `${MEMBERS} numbers, the rest spoofed once each, from ${BLOCKS} blocks of 10,000 numbers (median of ${ROUNDS})\n`,
);
console.log(`| query | ${results.map((r) => `${r.name} ms | ÷ baseline`).join(' | ')} |`);
console.log(`|---|${results.map(() => '---:|---:').join('|')}|`);
const row = (label: string, ms: (r: (typeof results)[number]) => number) =>
  console.log(
    `| ${label} | ${results
      .map((r) => `${ms(r).toFixed(1)} | ${(ms(r) / r.baseline).toFixed(1)}×`)
      .join(' | ')} |`,
  );
row('baseline: count the window from the index', (r) => r.baseline);
for (const [i, [label]] of results[0]!.timings.entries()) row(label, (r) => r.timings[i]![1]);
row('**the whole view**', (r) => r.timings.reduce((sum, [, ms]) => sum + ms, 0));
for (const r of results)
  console.log(
    `\n${r.name}: recorded in ${r.recordS.toFixed(0)} s; the view counts ` +
      `${r.counted.contacts.toLocaleString('en')} contacts from ${r.counted.callers.toLocaleString('en')} numbers.`,
  );
