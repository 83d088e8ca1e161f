import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSecret } from '../src/cli/secret.ts';
import { sha256Hex } from '../src/evidence/chain.ts';
import { verifyChain } from '../src/evidence/verify.ts';
import { sealNumber } from '../src/hotline/seal.ts';
import {
  keyStatus,
  rotateNumberKeys,
  STRAGGLER_WAIT_MS,
  type RotationEvent,
} from '../src/privacy/key-rotation.ts';
import { deriveKey, NumberKeyError, NumberVault } from '../src/privacy/number-vault.ts';
import { recentAudit } from '../src/storage/audit-repo.ts';
import { openStorage, type Storage } from '../src/storage/db.ts';
import { openContent } from '../src/evidence/journal.ts';
import { EvidenceRepo } from '../src/storage/evidence-repo.ts';
import { NumberKeysRepo } from '../src/storage/number-keys-repo.ts';
import { DIALECTS, createTestDatabase, type TestDatabase } from './support/databases.ts';
import {
  LINE,
  TEST_SECRET,
  startHotline,
  testConfig,
  type TestHotline,
} from './support/hotline.ts';

const HOUR = 3_600_000;
/** Replied to before the rotation: its outbox row is under v1. */
const EARLY = '+33612345670';
/** Contact before the rotation; their replies are still pending (due in an hour). */
const PENDING = ['+33612345671', '+33612345672', '+33612345673', '+33612345674'];
/** Calls while the rotation waits for the new key to become current. */
const DURING = '+33612345675';
/** Put on the STOP list by a process whose keys are out of date, during the straggler wait. */
const STRAGGLER = '+33612345676';
const BLOCKED = '+33612345679';
const LATER = '+33612345680';

/**
 * `nonmerci secret rotate` against the real assembled hotline on both databases: the rotation runs
 * on its own connection like the command would, while the hotline keeps taking calls; waits move
 * the manual clock and give the hotline the key reload its timer would do.
 */
for (const dialect of DIALECTS) {
  describe(`number key rotation [${dialect.name}]`, { skip: dialect.skip }, () => {
    let db: TestDatabase;
    let hotline: TestHotline;
    let rotator: Storage;
    let headKey: Buffer;
    let journal: EvidenceRepo;
    /** Another process's vault: it read the keys before the rotation and has not reloaded since. */
    let otherProcess: NumberVault;
    let sid = 0;

    const contact = (from: string, kind: 'call' | 'text' = 'call') =>
      hotline.intake.receive('simulator', {
        kind,
        from,
        to: LINE,
        providerSid: `SIM${kind === 'call' ? 'CA' : 'SM'}${String(++sid).padStart(30, '0')}`,
        body: kind === 'text' ? 'bonjour, je voulais juste dire non' : null,
      });
    const column = async (table: 'callers' | 'sim_messages' | 'evidence_log') => {
      const rows =
        table === 'callers'
          ? await hotline.storage.db.selectFrom('callers').select('number_enc as v').execute()
          : table === 'sim_messages'
            ? await hotline.storage.db.selectFrom('sim_messages').select('to_enc as v').execute()
            : await hotline.storage.db
                .selectFrom('evidence_log')
                .select('content as v')
                .where('content', 'is not', null)
                .where('content', 'not like', '{%')
                .execute();
      return rows.map((r) => r.v!);
    };
    const everyStored = async () => [
      ...(await column('callers')),
      ...(await column('sim_messages')),
      ...(await column('evidence_log')),
    ];
    const count = async () =>
      (
        await hotline.storage.db
          .selectFrom('callers')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const keyRows = () =>
      hotline.storage.db.selectFrom('number_keys').selectAll().orderBy('version').execute();
    /** Sleeps by moving the clock; the hotline reads the keys as its 5-second timer would. */
    const sleep = async (ms: number) => {
      hotline.clock.advance(ms);
      await hotline.vault.reload();
    };
    const verify = async () => {
      await journal.seal(hotline.clock.now());
      return verifyChain(journal, (s) => openContent(s, hotline.vault), headKey);
    };

    before(async () => {
      db = await createTestDatabase(dialect.name);
      hotline = await startHotline(testConfig(db.target));
      rotator = openStorage(db.target);
      headKey = deriveKey(TEST_SECRET, 'evidence-chain-heads-v1');
      journal = new EvidenceRepo(hotline.storage.db, hotline.storage.caps, headKey);

      await contact(EARLY);
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      assert.equal((await hotline.simOutbox.listTo(EARLY, 0)).length, 1);
      for (const [i, number] of PENDING.entries()) await contact(number, i % 2 ? 'text' : 'call');
      await contact(BLOCKED);
      await hotline.rules.setListed(
        'blocked',
        sealNumber(hotline.vault, BLOCKED),
        true,
        'operator:test',
        hotline.clock.now(),
      );
      otherProcess = new NumberVault(TEST_SECRET, {
        keys: new NumberKeysRepo(hotline.storage.db),
        clock: hotline.clock,
      });
      await otherProcess.reload();
      assert.equal((await column('callers')).length, PENDING.length + 2);
      assert.equal((await column('sim_messages')).length, 1);
      assert.equal((await column('evidence_log')).length, PENDING.length + 2, 'one per contact');
      assert.ok((await everyStored()).every((v) => v.startsWith('v1:')));
      assert.equal((await verify()).intact, true);
    });
    after(async () => {
      await rotator?.close();
      await hotline?.close().catch(() => {});
      await db?.drop();
    });

    it('re-encrypts every stored value under k2 while the hotline runs, and retires v1', async () => {
      const vault = new NumberVault(TEST_SECRET, {
        keys: new NumberKeysRepo(rotator.db),
        clock: hotline.clock,
      });
      const events: RotationEvent[] = [];
      const stale = new NumberVault(TEST_SECRET);
      const started = hotline.clock.now();
      const report = await rotateNumberKeys({
        store: new NumberKeysRepo(rotator.db),
        vault,
        clock: hotline.clock,
        actor: 'operator:test',
        onProgress: (e) => events.push(e),
        sleep: async (ms) => {
          const waiting = events.findLast((e) => e.type === 'waiting');
          if (waiting?.type === 'waiting' && waiting.reason === 'activation') {
            // The hotline knows k2 but it is not current yet: a caller now is still under v1.
            await sleep(1000);
            assert.deepEqual(
              hotline.vault.versions().map((v) => v.version),
              [1, 2],
            );
            assert.equal(hotline.vault.currentVersion(), 1);
            await contact(DURING);
            await sleep(ms - 1000);
          } else {
            // A process that had not switched yet writes under v1: the second pass catches it.
            assert.equal(ms, STRAGGLER_WAIT_MS);
            await hotline.rules.setListed(
              'stop',
              sealNumber(stale, STRAGGLER),
              true,
              'operator:test',
              hotline.clock.now(),
            );
            await sleep(ms);
          }
        },
      });

      assert.equal(report.version, 2);
      assert.equal(report.resumed, false);
      assert.deepEqual(report.retired, [1]);
      assert.deepEqual(report.destroyed, []);
      assert.deepEqual(report.kept, []);
      assert.deepEqual(report.unreadable, []);
      assert.equal(report.reencrypted['callers.number_enc'], PENDING.length + 4);
      assert.equal(report.reencrypted['sim_messages.to_enc'], 1);
      assert.ok(report.reencrypted['evidence_log.content'] >= PENDING.length + 3);
      assert.equal(
        report.tookMs,
        25_000,
        '15 s for every process to learn k2, 10 s for stragglers',
      );
      assert.deepEqual(
        events.filter((e) => e.type !== 'batch').map((e) => e.type),
        ['created', 'waiting', 'pass', 'waiting', 'pass'],
      );
      const created = events[0]!;
      assert.ok(created.type === 'created' && created.activeFrom === started + 15_000);

      const stored = await everyStored();
      assert.ok(
        stored.every((v) => v.startsWith('k2:')),
        'nothing left under v1',
      );
      for (const table of ['callers', 'sim_messages', 'evidence_log'] as const)
        assert.ok((await column(table)).length > 0, table);
      const keys = await keyRows();
      assert.deepEqual(
        keys.map((k) => [k.version, k.retired_at === null, k.wrapped === '']),
        [
          [1, false, true],
          [2, true, false],
        ],
      );
      assert.ok(!keys[1]!.wrapped.includes(TEST_SECRET));

      const status = await keyStatus(new NumberKeysRepo(rotator.db), vault);
      assert.equal(status.current, 2);
      assert.deepEqual(
        status.versions.map((v) => [v.version, v.total]),
        [
          [1, 0],
          [2, stored.length],
        ],
      );
      assert.equal(status.unknown, 0);

      const [audit] = await recentAudit(hotline.storage.db, 1);
      assert.equal(audit!.action, 'secret.rotate');
      assert.equal(audit!.actor, 'operator:test');
      assert.deepEqual(audit!.detail!.retired, [1]);
      assert.deepEqual(audit!.detail!.reencrypted, report.reencrypted);
      const detail = JSON.stringify(audit!.detail);
      assert.ok(
        !detail.includes(keys[1]!.wrapped) && !/\+336/.test(detail),
        'no secret, no number',
      );
    });

    it('keeps look-ups working: pending replies reach their numbers, a caller coming back is recognised, a blocked number stays blocked', async () => {
      hotline.clock.advance(HOUR);
      await hotline.worker.drain();
      for (const number of [...PENDING, DURING]) {
        const sms = await hotline.simOutbox.listTo(number, 0);
        assert.equal(sms.length, 1, number);
        assert.equal(sms[0]!.to, number);
      }
      assert.equal((await hotline.simOutbox.listTo(BLOCKED, 0)).length, 0);
      assert.equal((await hotline.simOutbox.listTo(STRAGGLER, 0)).length, 0);
      assert.ok((await column('sim_messages')).every((v) => v.startsWith('k2:')));

      const again = await contact(PENDING[0]!, 'text');
      assert.equal(again.result.outcome, 'cooldown', 'the same caller, no second reply');
      assert.equal(Number(await count()), PENDING.length + 4, 'no new caller row');
      const blocked = await contact(BLOCKED);
      assert.equal(blocked.result.callerBlocked, true);
      assert.equal(blocked.answer?.kind, 'reject');
      const later = await contact(LATER);
      assert.equal(later.result.outcome, 'reply_scheduled');
      assert.ok((await column('callers')).every((v) => v.startsWith('k2:')));
    });

    it('keeps the evidence journal verifiable: same contents, same hashes', async () => {
      const verdict = await verify();
      assert.equal(verdict.intact, true, JSON.stringify(verdict));
      const rows = await hotline.storage.db
        .selectFrom('evidence_log')
        .select(['content', 'content_hash'])
        .where('content', 'like', 'k2:%')
        .execute();
      assert.ok(rows.length >= PENDING.length + 3);
      for (const row of rows)
        assert.equal(sha256Hex(openContent(row.content!, hotline.vault)), row.content_hash);
    });

    it('lets another process read the new values once it reloads its keys', async () => {
      const [caller] = await column('callers');
      assert.throws(
        () => otherProcess.decrypt(caller!),
        (error: Error) =>
          error instanceof NumberKeyError && /unknown to this process/.test(error.message),
      );
      await otherProcess.reload();
      assert.match(otherProcess.decrypt(caller!), /^\+336123456\d\d$/);
      assert.match(otherProcess.encrypt(LATER), /^k2:/);
    });

    it('rotates again from k2 to k3 with the command, and destroys k2', async () => {
      const underK2 = await column('callers');
      const printed: string[] = [];
      const code = await runSecret(
        testConfig(db.target),
        { action: 'rotate', actor: 'operator:test' },
        (line) => printed.push(line),
        { clock: hotline.clock, sleep },
      );
      assert.equal(code, 0, printed.join('\n'));
      const text = printed.join('\n');
      assert.match(text, /New number key k3 created/);
      assert.match(text, /Waiting 15s/);
      assert.match(
        text,
        /Re-encrypted: caller numbers 9, simulator outbox 6, evidence journal \d+/,
      );
      assert.match(text, /k2 retired: nothing new is encrypted under it\. Waiting 10s/);
      assert.match(text, /k2 retired and its key destroyed/);
      assert.match(text, /Nothing to restart.*NONMERCI_SECRET is unchanged/);
      assert.ok((await everyStored()).every((v) => v.startsWith('k3:')));
      const keys = await keyRows();
      assert.deepEqual(
        keys.map((k) => [k.version, k.retired_at === null, k.wrapped === '']),
        [
          [1, false, true],
          [2, false, true],
          [3, true, false],
        ],
      );
      // A value left under the destroyed key (say, restored from an old copy) says what happened.
      await hotline.vault.reload();
      assert.throws(() => hotline.vault.decrypt(underK2[0]!), /retired and destroyed/);
      assert.equal((await verify()).intact, true);
      // A caller the hotline met under k2 writes again: his number is now written under k3.
      const back = await contact(LATER, 'text');
      assert.equal(back.result.outcome, 'cooldown');

      const status: string[] = [];
      await runSecret(
        testConfig(db.target),
        { action: 'status', actor: 'operator:test' },
        (line) => status.push(line),
        { clock: hotline.clock, sleep },
      );
      assert.match(status[0]!, /current: k3/);
      assert.match(status.join('\n'), /k2 +created .*, key destroyed; 0 stored values/);
    });

    it('finishes a rotation interrupted after its first batch when run again', async () => {
      const store = new NumberKeysRepo(rotator.db);
      const vault = new NumberVault(TEST_SECRET, { keys: store, clock: hotline.clock });
      const crash = new Error('killed after the first batch');
      await assert.rejects(
        rotateNumberKeys({
          store,
          vault,
          clock: hotline.clock,
          sleep,
          actor: 'operator:test',
          batchSize: 3,
          onProgress: (e) => {
            if (e.type === 'batch') throw crash;
          },
        }),
        crash,
      );
      const halfway = await column('callers');
      assert.equal(halfway.filter((v) => v.startsWith('k4:')).length, 3);
      assert.ok(halfway.some((v) => v.startsWith('k3:')));
      // The hotline goes on meanwhile: k4 is current, k3 still readable.
      assert.match((await contact(PENDING[1]!)).result.outcome, /cooldown/);

      const report = await rotateNumberKeys({
        store,
        vault,
        clock: hotline.clock,
        sleep,
        actor: 'operator:test',
        batchSize: 3,
      });
      assert.equal(report.version, 4);
      assert.equal(report.resumed, true);
      assert.deepEqual(report.retired, [3]);
      assert.deepEqual(report.destroyed, [3]);
      assert.equal(report.reencrypted['callers.number_enc'], halfway.length - 3);
      assert.ok((await everyStored()).every((v) => v.startsWith('k4:')));
      assert.equal((await verify()).intact, true);
      const again = await rotateNumberKeys({
        store,
        vault,
        clock: hotline.clock,
        sleep,
        actor: 'operator:test',
      });
      assert.equal(again.version, 5, 'a finished rotation is not taken up again');
    });
  });
}
