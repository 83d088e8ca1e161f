/**
 * Evidence benchmark: records a raid the size of the 2017 one (20,000 calls and texts from a few
 * hundred numbers) through the real intake, then measures linking the hash chain, verifying it and
 * exporting the whole raid as a bundle. The baseline, measured in the same run on the same rows,
 * is reading every journal row without checking anything: the ratio is what the checks cost.
 *
 *   npm run bench:evidence -- [--contacts 20000] [--only sqlite|postgres]
 *                             [--pg-url postgres://postgres@127.0.0.1:5432/postgres]
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { assemble } from '../src/main.ts';
import { LINE, testConfig } from '../test/support/hotline.ts';
import { throwawayDatabase } from './throwaway-database.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '20000' },
    only: { type: 'string' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const CONTACTS = Number(values.contacts);
const TEXTS = [
  'sale connasse',
  'je sais où tu habites',
  'réponds',
  'lol',
  't ki',
  'je vais te retrouver',
  'STOP',
];

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

async function measure(name: 'sqlite' | 'postgres') {
  const t = await throwawayDatabase(name, values['pg-url']);
  const clock = new ManualClock(Date.UTC(2026, 10, 1, 15, 0));
  const h = await assemble(testConfig(t.target), {
    clock,
    log: pino({ level: 'silent' }),
    lines: 'ensure',
  });
  try {
    const [, recordMs] = await time(async () => {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < CONTACTS; i++) {
        const text = i % 3 !== 0;
        batch.push(
          h.intake.receive('simulator', {
            kind: text ? 'text' : 'call',
            from: `+3363998${String(i % 400).padStart(4, '0')}`,
            to: LINE,
            providerSid: `SIM${i}`,
            body: text ? TEXTS[i % TEXTS.length]! : null,
          }),
        );
        if (batch.length === 256) {
          await Promise.all(batch.splice(0));
          clock.advance(256 * 1000);
        }
      }
      await Promise.all(batch);
    });
    const [linked, sealMs] = await time(() => h.journal.seal(clock.now()));
    const [, readMs] = await time(() =>
      h.storage.db.selectFrom('evidence_log').selectAll().orderBy('seq').execute(),
    );
    const [verdict, verifyMs] = await time(() => h.evidence.verify());
    const [bundle, exportMs] = await time(() =>
      h.evidence.export({
        from: Date.UTC(2026, 10, 1, 15, 0),
        to: clock.now() + 1,
        lineId: null,
        actor: 'bench',
      }),
    );
    return {
      name,
      recordMs,
      linked,
      sealMs,
      readMs,
      verifyMs,
      intact: verdict.intact,
      exportMs,
      events: bundle.events,
      zipBytes: bundle.zip.length,
    };
  } finally {
    await h.close();
    await t.drop();
  }
}

const names = (values.only ? [values.only] : ['sqlite', 'postgres']) as ('sqlite' | 'postgres')[];
const rows = [];
for (const name of names) rows.push(await measure(name));
const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en');
console.log(`\nEvidence journal, ${CONTACTS.toLocaleString('en')} contacts from 400 numbers\n`);
console.log(
  '| database | record contacts/s | link entries/s | read all rows (baseline) | verify | verify ÷ read | export (ZIP) | ZIP size |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${perSec(CONTACTS, r.recordMs)} | ${perSec(r.linked, r.sealMs)} | ${r.readMs.toFixed(0)} ms | ${r.verifyMs.toFixed(0)} ms (${r.intact ? 'intact' : 'BROKEN'}) | ${(r.verifyMs / r.readMs).toFixed(1)}× | ${r.exportMs.toFixed(0)} ms, ${r.events.toLocaleString('en')} events | ${(r.zipBytes / 1e6).toFixed(1)} MB |`,
  );
