import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../src/storage/schema.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import {
  LINE,
  PUBLIC_URL,
  TEST_SECRET,
  callParams,
  postSigned,
  smsParams,
} from './support/hotline.ts';
import { killAllChildren, startServer, waitFor } from './support/server-process.ts';

const postgres = DIALECTS.find((d) => d.name === 'postgres')!;
const WEBHOOKS = 240;

describe('serve --processes on one PostgreSQL', { skip: postgres.skip }, () => {
  const fake = new FakeTwilio();
  let db: TestDatabase;
  let dataDir: string;

  before(async () => {
    await fake.start();
    db = await createTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'nonmerci-processes-'));
  });
  after(async () => {
    await killAllChildren();
    await fake.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'answers on one port from several processes, records every webhook once, and stops them all',
    { timeout: 90_000 },
    async () => {
      const url = (db.target as { url: string }).url;
      const { proc, base } = await startServer(
        {
          DATABASE_URL: url,
          PUBLIC_URL,
          NONMERCI_SECRET: TEST_SECRET,
          NONMERCI_DATA_DIR: dataDir,
          TWILIO_ACCOUNT_SID: fake.accountSid,
          TWILIO_AUTH_TOKEN: fake.authToken,
          TWILIO_API_URL: fake.url,
          HOTLINE_NUMBER: LINE,
          LOG_LEVEL: 'info',
        },
        { args: ['--processes', '3'], timeoutMs: 40_000 },
      );
      // Healthy as soon as one process listens; the others follow.
      await waitFor(
        'every process started',
        () =>
          Promise.resolve(
            (/nonmerci is running as 3 processes/.test(proc.stdout) &&
              /nonmerci is running \(all\)/.test(proc.stdout) &&
              proc.stdout.match(/Server listening at/g)?.length === 3) ||
              undefined,
          ),
        { timeoutMs: 30_000, intervalMs: 50, describe: () => proc.stdout + proc.stderr },
      );
      assert.equal(
        proc.stdout.match(/nonmerci is running \(all\)/g)?.length,
        1,
        'one start-up summary, not three',
      );

      // Each webhook once, a few of them delivered twice (the provider's retries).
      const sent = Array.from({ length: WEBHOOKS }, (_, i) =>
        i % 2
          ? {
              path: '/webhooks/twilio/voice',
              params: callParams(`+33612${String(i).padStart(6, '0')}`),
            }
          : {
              path: '/webhooks/twilio/sms',
              params: smsParams(`+33612${String(i).padStart(6, '0')}`, `message ${i}`),
            },
      );
      const deliveries = [...sent, ...sent.slice(0, 20)];
      let next = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < deliveries.length) {
            const d = deliveries[next++]!;
            const res = await postSigned(base, d.path, d.params, fake.authToken);
            assert.equal(res.status, 200, await res.text());
          }
        }),
      );

      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const q = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      try {
        const count = async (table: 'contacts' | 'intake_log') =>
          Number(
            (
              await q
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        await waitFor(
          'every webhook recorded',
          async () => ((await count('intake_log')) === 0 ? true : undefined),
          { timeoutMs: 30_000, intervalMs: 50 },
        );
        assert.equal(await count('contacts'), WEBHOOKS);
      } finally {
        await q.destroy();
      }

      const exit = await proc.stop('SIGTERM');
      assert.equal(exit.code, 0, `stdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`);
    },
  );
});
