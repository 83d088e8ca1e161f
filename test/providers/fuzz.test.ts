import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { LINE, startHotline, testConfig, type TestHotline } from '../support/hotline.ts';
import { DRIVERS, kitRequest, loadCases, type KitCase, type KitRequest } from './drivers.ts';

/**
 * Every provider's webhooks, fuzzed from the kit's samples: fields replaced by any JSON value or
 * any string, removed, or the whole body replaced, then signed as the provider signs (so the
 * adapter's reading is what is tested, not only the signature check), and sent unsigned too. A
 * webhook never gets a 5xx; a refusal records nothing. SQLite only: the adapters' reading does not
 * depend on the database, which the kit runs on both.
 * Replay a failure with FUZZ_SEED=<seed>; scale with FUZZ_RUNS=<multiplier>.
 */

const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const RUNS = Math.max(1, Math.round(150 * Number(process.env.FUZZ_RUNS ?? 1)));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Paths to every value of a JSON document (objects and arrays included). */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  return here;
}

/** A copy with the value at `path` replaced (undefined: removed). */
function replaced(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(doc);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, Json>)[key]!;
  const last = path.at(-1)!;
  const holder = parent as Record<string | number, Json>;
  if (value === undefined) {
    if (Array.isArray(holder)) holder.splice(Number(last), 1);
    else delete holder[last];
  } else holder[last] = value;
  return copy;
}

const edits = fc.array(
  fc.tuple(
    fc.nat(),
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constant(undefined),
    ),
  ),
  { minLength: 1, maxLength: 4 },
);

for (const makeDriver of DRIVERS) {
  const driver = makeDriver();
  const cases = [...loadCases(driver.name).entries()].filter(([, c]) => c.endpoint);

  describe(`provider webhook fuzzing: ${driver.name} [sqlite]`, () => {
    let db: TestDatabase;
    let hotline: TestHotline;
    let base: string;

    before(async () => {
      await driver.start();
      db = await createTestDatabase('sqlite');
      hotline = await startHotline(testConfig(db.target, driver.settings()));
      base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      await hotline?.close();
      await db?.drop();
      await driver.stop();
    });

    const recorded = async () => {
      await hotline.processor.drain();
      const row = await hotline.storage.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };

    /** The sample as sent: form fields, query or JSON, after the edits. */
    function edited(c: KitCase, fuzz: [number, unknown][], whole: Json | null): KitCase {
      const vars = {
        caller: '+33612345678',
        line: LINE,
        caller_digits: '33612345678',
        line_digits: LINE.slice(1),
        sid: driver.newSid(),
        event: randomUUID(),
        message: randomUUID(),
        key: randomUUID(),
      };
      const filled = JSON.parse(
        JSON.stringify(kitRequestInput(c)).replace(
          /\{\{(\w+)\}\}/g,
          (_, n: string) => vars[n as keyof typeof vars] ?? '',
        ),
      ) as Json;
      let doc: Json = whole ?? filled;
      const all = paths(doc);
      for (const [at, value] of fuzz) {
        if (all.length === 0) break;
        const path = all[at % all.length]!;
        // Form fields and queries hold strings only.
        const v =
          c.json === undefined && value !== undefined ? String(JSON.stringify(value)) : value;
        try {
          doc = replaced(doc, path, v as Json | undefined);
        } catch {
          // The path went away with an earlier edit.
        }
      }
      if (c.json !== undefined) return { ...c, json: doc };
      const strings = Object.fromEntries(
        Object.entries((doc ?? {}) as Record<string, Json>).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      );
      return c.method === 'GET' ? { ...c, query: strings } : { ...c, form: strings };
    }

    async function send(request: KitRequest, signed: boolean): Promise<number> {
      const res = await fetch(base + request.path, {
        method: request.method,
        headers: { ...request.headers, ...(signed ? driver.sign(request, 'good') : {}) },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      await res.arrayBuffer();
      return res.status;
    }

    it('never answers a signed but malformed webhook with a 5xx, and a refusal records nothing', async (t) => {
      t.diagnostic(`seed ${SEED}, ${RUNS} runs`);
      const statuses = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...cases),
          edits,
          fc.oneof(
            { weight: 7, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
          ),
          async ([name, c], fuzz, whole) => {
            const before = await recorded();
            const request = kitRequest(
              driver.name,
              edited(c, fuzz, (whole ?? null) as Json | null),
              {},
            );
            const status = await send(request, true);
            statuses.set(`${name} ${status}`, (statuses.get(`${name} ${status}`) ?? 0) + 1);
            assert.ok(status < 500, `${name}: ${status} for ${request.body ?? request.path}`);
            if (status >= 400)
              assert.equal(await recorded(), before, `${name}: refused but recorded`);
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      t.diagnostic(`statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    });

    it('refuses the same webhooks unsigned, with a 4xx, recording nothing', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...cases), edits, async ([name, c], fuzz) => {
          const before = await recorded();
          const status = await send(kitRequest(driver.name, edited(c, fuzz, null), {}), false);
          assert.ok(status >= 400 && status < 500, `${name}: ${status}`);
          assert.equal(await recorded(), before);
        }),
        { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
      );
    });
  });
}

/** A sample's payload, whichever way the provider sends it. */
function kitRequestInput(c: KitCase): unknown {
  return c.json ?? c.form ?? c.query ?? {};
}
