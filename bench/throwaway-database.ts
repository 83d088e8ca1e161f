import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../src/config/load.ts';

/**
 * A database for one benchmark, removed by `drop`: a SQLite file in a temporary folder, or a
 * PostgreSQL database of its own created beside `pgUrl`'s.
 */
export async function throwawayDatabase(
  name: 'sqlite' | 'postgres',
  pgUrl: string,
): Promise<{ target: DatabaseTarget; drop: () => Promise<void> }> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nonmerci-bench-'));
    return {
      target: { kind: 'sqlite', path: join(dir, 'bench.db') },
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const db = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${db}`;
  return {
    target: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database ${db} with (force)`);
      await c.end();
    },
  };
}
