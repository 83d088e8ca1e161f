import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { AlertsRepo } from './alerts-repo.ts';
import { openStorage, type Storage } from './db.ts';
import { migrateToLatest } from './migrate.ts';

const T0 = Date.UTC(2026, 10, 1, 16, 0);
const LEASE = 60_000;

for (const dialect of DIALECTS) {
  describe(`AlertsRepo [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let storage: Storage;
    let repo: AlertsRepo;

    beforeEach(async () => {
      db = await createTestDatabase(dialect.name);
      storage = openStorage(db.target);
      await migrateToLatest(storage);
      repo = new AlertsRepo(storage.db, storage.caps);
    });
    afterEach(async () => {
      await storage?.close();
      await db?.drop();
    });

    const enqueue = (key: string, now = T0) =>
      repo.enqueue({ key, kind: 'budget', payload: `{"key":"${key}"}`, now });

    it('stores an alert once per key', async () => {
      assert.equal(await enqueue('budget:day:2026-11-01:80'), true);
      assert.equal(await enqueue('budget:day:2026-11-01:80', T0 + 5000), false);
      assert.equal(await enqueue('budget:day:2026-11-01:100'), true);
      const all = await repo.recent(10);
      assert.equal(all.length, 2);
      const first = all.find((a) => a.key === 'budget:day:2026-11-01:80');
      assert.equal(first?.createdAt, T0, 'the duplicate changed nothing');
      assert.equal(first?.status, 'pending');
      assert.deepEqual(first?.deliveredTo, []);
      assert.equal(first?.attempts, 0);
    });

    it('stores an alert once when two connections raise it at the same moment', async () => {
      const other = openStorage(db.target);
      try {
        const otherRepo = new AlertsRepo(other.db, other.caps);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? repo : otherRepo).enqueue({
              key: 'shield_on:+33939000000:1',
              kind: 'shield_on',
              payload: '{}',
              now: T0,
            }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await repo.recent(10)).length, 1);
      } finally {
        await other.close();
      }
    });

    it('claims due alerts, oldest first, and counts the attempt', async () => {
      await enqueue('b', T0 + 1000);
      await enqueue('a', T0);
      await enqueue('future', T0 + 10 * LEASE);
      const claimed = await repo.claimDue(T0 + 2000, 10, LEASE);
      assert.deepEqual(
        claimed.map((a) => a.key),
        ['a', 'b'],
      );
      assert.ok(claimed.every((a) => a.attempts === 1 && a.claimedUntil === T0 + 2000 + LEASE));
      assert.equal(claimed[0]?.payload, '{"key":"a"}');
    });

    it('respects the limit', async () => {
      for (const k of ['a', 'b', 'c']) await enqueue(k);
      assert.equal((await repo.claimDue(T0, 2, LEASE)).length, 2);
      assert.equal((await repo.claimDue(T0, 2, LEASE)).length, 1);
      assert.equal((await repo.claimDue(T0, 2, LEASE)).length, 0);
    });

    it('does not claim a claimed alert again before its lease ends', async () => {
      await enqueue('a');
      assert.equal((await repo.claimDue(T0, 10, LEASE)).length, 1);
      assert.equal((await repo.claimDue(T0 + 1, 10, LEASE)).length, 0);
      assert.equal((await repo.claimDue(T0 + LEASE - 1, 10, LEASE)).length, 0);
      // The holder died: once the lease ends, another process takes it over.
      const [again] = await repo.claimDue(T0 + LEASE, 10, LEASE);
      assert.equal(again?.key, 'a');
      assert.equal(again?.attempts, 2);
    });

    it('hands each alert to one of two connections claiming at once', async () => {
      for (let i = 0; i < 20; i++) await enqueue(`k${String(i).padStart(2, '0')}`);
      const other = openStorage(db.target);
      try {
        const otherRepo = new AlertsRepo(other.db, other.caps);
        const [a, b] = await Promise.all([
          repo.claimDue(T0, 10, LEASE),
          otherRepo.claimDue(T0, 10, LEASE),
        ]);
        const rest = await repo.claimDue(T0, 20, LEASE);
        const ids = [...a, ...b, ...rest].map((x) => x.id);
        assert.equal(new Set(ids).size, ids.length, 'no alert claimed twice');
        assert.equal(ids.length, 20, 'every alert claimed once');
        assert.ok(a.length <= 10 && b.length <= 10);
      } finally {
        await other.close();
      }
    });

    it('records sinks as they take the alert, and settles it when all did', async () => {
      await enqueue('a');
      const [alert] = await repo.claimDue(T0, 1, LEASE);
      assert.ok(alert);
      await repo.markDelivered(alert.id, ['webhook'], false, T0 + 10);
      let [row] = await repo.recent(1);
      assert.deepEqual(row?.deliveredTo, ['webhook']);
      assert.equal(row?.status, 'pending');
      assert.equal(row?.claimedUntil, T0 + LEASE, 'still held while the other sinks run');

      await repo.markDelivered(alert.id, ['webhook', 'email'], true, T0 + 20);
      [row] = await repo.recent(1);
      assert.deepEqual(row?.deliveredTo, ['webhook', 'email']);
      assert.equal(row?.status, 'delivered');
      assert.equal(row?.deliveredAt, T0 + 20);
      assert.equal(row?.claimedUntil, null);
      assert.equal((await repo.claimDue(T0 + 10 * LEASE, 10, LEASE)).length, 0, 'settled');
    });

    it('retries later: released, due again at the given time, with the sinks done and the error', async () => {
      await enqueue('a');
      const [alert] = await repo.claimDue(T0, 1, LEASE);
      assert.ok(alert);
      await repo.retryLater(alert.id, ['email'], 'webhook: HTTP 500', T0 + 30_000);
      let [row] = await repo.recent(1);
      assert.equal(row?.status, 'pending');
      assert.equal(row?.nextAttemptAt, T0 + 30_000);
      assert.equal(row?.lastError, 'webhook: HTTP 500');
      assert.deepEqual(row?.deliveredTo, ['email']);
      assert.equal(row?.claimedUntil, null);

      assert.equal((await repo.claimDue(T0 + 29_999, 10, LEASE)).length, 0, 'not due yet');
      const [again] = await repo.claimDue(T0 + 30_000, 10, LEASE);
      assert.equal(again?.attempts, 2);
      assert.deepEqual(again?.deliveredTo, ['email']);

      await repo.markDelivered(alert.id, ['email', 'webhook'], true, T0 + 31_000);
      [row] = await repo.recent(1);
      assert.equal(row?.status, 'delivered');
      assert.equal(row?.lastError, null, 'a full delivery clears the last error');
    });

    it('gives up: settled as failed, never claimed again', async () => {
      await enqueue('a');
      const [alert] = await repo.claimDue(T0, 1, LEASE);
      assert.ok(alert);
      await repo.giveUp(alert.id, [], 'webhook: HTTP 404', T0 + 5);
      const [row] = await repo.recent(1);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.deliveredAt, T0 + 5);
      assert.equal(row?.lastError, 'webhook: HTTP 404');
      assert.equal((await repo.claimDue(T0 + 100 * LEASE, 10, LEASE)).length, 0);
    });

    it('lists the latest alerts first', async () => {
      await enqueue('old', T0);
      await enqueue('new', T0 + 2000);
      await enqueue('mid', T0 + 1000);
      assert.deepEqual(
        (await repo.recent(2)).map((a) => a.key),
        ['new', 'mid'],
      );
    });
  });
}
