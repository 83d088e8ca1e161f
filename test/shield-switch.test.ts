import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { LinesRepo } from '../src/storage/lines-repo.ts';
import { ShieldRepo } from '../src/storage/shield-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import { startHotline, testConfig, type TestHotline } from './support/hotline.ts';

for (const dialect of DIALECTS) {
  describe(`switching the shield [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let hotline: TestHotline | null = null;
    afterEach(async () => {
      await hotline?.close();
      hotline = null;
      await db?.drop();
    });

    it('tells the copies in memory once the change is committed, so that reading them again sees it', async () => {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(testConfig(db.target));
      const lineId = hotline.defaultLine.id;
      // What the webhooks' copy of the lines does when told: read them again at once, here on
      // whatever connection is free (another one than the switch's, on PostgreSQL).
      const lines = new LinesRepo(hotline.storage.db);
      const seenWhenTold: Array<Promise<boolean | undefined>> = [];
      const shield = new ShieldRepo(hotline.storage.db, () => {
        seenWhenTold.push(lines.findById(lineId).then((line) => line?.shield.active));
      });
      // Several connections open and idle, as on a server that has been answering for a while.
      await Promise.all(Array.from({ length: 5 }, () => lines.findById(lineId)));
      const switched = await shield.switch(lineId, {
        wasActive: false,
        active: true,
        trigger: 'operator',
        detail: 'turned on by an operator',
        reason: { detector: 'operator', to: 'on' },
        now: hotline.clock.now(),
      });
      assert.equal(switched, true);
      assert.deepEqual(await Promise.all(seenWhenTold), [true]);
    });
  });
}
