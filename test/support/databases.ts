import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/config/load.ts';

/**
 * Every storage and scheduler test runs once per dialect. PostgreSQL comes from TEST_POSTGRES_URL
 * (default: the local server); each test gets its own schema so tests never see each other's rows.
 * Outside CI, an unreachable PostgreSQL skips its variant with a visible reason; in CI it fails.
 */
export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** Tries a few times: on a busy machine the first connection can take seconds. */
async function postgresReachable(): Promise<boolean> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const client = new pg.Client({
      connectionString: POSTGRES_URL,
      connectionTimeoutMillis: 10_000,
    });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      await client.end().catch(() => {});
      if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return false;
}

const reachable = await postgresReachable();
if (!reachable && process.env.CI)
  throw new Error(`PostgreSQL is unreachable at ${POSTGRES_URL}; CI needs it`);

export const DIALECTS: { name: 'sqlite' | 'postgres'; skip: string | false }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: reachable ? false : `PostgreSQL unreachable at ${POSTGRES_URL}` },
];

export async function createTestDatabase(name: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nonmerci-test-'));
    return {
      name,
      target: { kind: 'sqlite', path: join(dir, 'test.db') },
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name,
    target: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
