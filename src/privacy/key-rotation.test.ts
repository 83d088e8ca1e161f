import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../domain/clock.ts';
import {
  ENCRYPTED_PLACES,
  KEY_ACTIVATION_DELAY_MS,
  rotateNumberKeys,
  STRAGGLER_WAIT_MS,
  type BatchOutcome,
  type EncryptedPlace,
  type KeyRotationStore,
  type PlaceUsage,
} from './key-rotation.ts';
import { NumberVault, versionPrefix, type StoredNumberKey } from './number-vault.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-nonmerci';

/** number_keys and the three encrypted columns, in memory, with the repository's semantics. */
class MemoryStore implements KeyRotationStore {
  keys: StoredNumberKey[] = [];
  rows = new Map<EncryptedPlace, Map<number, string>>(ENCRYPTED_PLACES.map((p) => [p, new Map()]));
  audits: Record<string, unknown>[] = [];
  /** Runs between a batch's read and its writes (another process at work). */
  beforeWrite: ((place: EncryptedPlace) => void) | null = null;
  /** Answers false once, as if another rotation had inserted the version first. */
  raceOnCreate: StoredNumberKey | null = null;

  list(): Promise<StoredNumberKey[]> {
    return Promise.resolve(this.keys.map((k) => ({ ...k })));
  }
  createKey(key: Omit<StoredNumberKey, 'retiredAt'>): Promise<boolean> {
    if (this.raceOnCreate) {
      this.keys.push(this.raceOnCreate);
      this.raceOnCreate = null;
      return Promise.resolve(false);
    }
    if (this.keys.some((k) => k.version === key.version)) return Promise.resolve(false);
    this.keys.push({ ...key, retiredAt: null });
    return Promise.resolve(true);
  }
  retireBelow(version: number, at: number): Promise<number[]> {
    const marked: number[] = [];
    if (!this.keys.some((k) => k.version === 1)) {
      this.keys.push({ version: 1, wrapped: '', createdAt: 0, activeFrom: 0, retiredAt: at });
      marked.push(1);
    }
    for (const k of this.keys)
      if (k.version < version && k.retiredAt === null) {
        k.retiredAt = at;
        marked.push(k.version);
      }
    return Promise.resolve(marked.sort((a, b) => a - b));
  }
  destroyKey(version: number): Promise<boolean> {
    const key = this.keys.find((k) => k.version === version && k.version >= 2);
    if (!key || key.retiredAt === null || key.wrapped === '') return Promise.resolve(false);
    key.wrapped = '';
    return Promise.resolve(true);
  }
  usage(versions: readonly number[]): Promise<PlaceUsage[]> {
    return Promise.resolve(
      ENCRYPTED_PLACES.map((place) => {
        const values = [...this.rows.get(place)!.values()].filter((v) => !v.startsWith('{'));
        return {
          place,
          total: values.length,
          byVersion: new Map(
            versions.map((v) => [v, values.filter((x) => x.startsWith(versionPrefix(v))).length]),
          ),
        };
      }),
    );
  }
  reencryptBatch(
    place: EncryptedPlace,
    target: number,
    afterId: number,
    limit: number,
    convert: (stored: string) => string,
  ): Promise<BatchOutcome> {
    const table = this.rows.get(place)!;
    const read = [...table]
      .filter(
        ([id, v]) => id > afterId && !v.startsWith('{') && !v.startsWith(versionPrefix(target)),
      )
      .sort(([a], [b]) => a - b)
      .slice(0, limit);
    this.beforeWrite?.(place);
    const outcome: BatchOutcome = {
      seen: read.length,
      updated: 0,
      changed: 0,
      unreadable: [],
      lastId: afterId,
    };
    for (const [id, value] of read) {
      outcome.lastId = id;
      let next: string;
      try {
        next = convert(value);
      } catch {
        outcome.unreadable.push(id);
        continue;
      }
      if (table.get(id) !== value) outcome.changed++;
      else {
        table.set(id, next);
        outcome.updated++;
      }
    }
    return Promise.resolve(outcome);
  }
  audit(entry: Record<string, unknown>): Promise<void> {
    this.audits.push(entry);
    return Promise.resolve();
  }
}

function setup(count = 5) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const vault = new NumberVault(SECRET, { keys: store, clock });
  const writer = new NumberVault(SECRET, { keys: store, clock });
  for (let i = 1; i <= count; i++) {
    store.rows.get('callers.number_enc')!.set(i, writer.encrypt(`+336123456${10 + i}`));
    store.rows.get('evidence_log.content')!.set(i, i % 2 ? writer.encrypt(`{"n":${i}}`) : '{}');
  }
  const sleeps: number[] = [];
  const deps = {
    store,
    vault,
    clock,
    actor: 'test',
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
      await writer.reload();
    },
  };
  return { clock, store, vault, writer, sleeps, deps };
}

const values = (store: MemoryStore) =>
  ENCRYPTED_PLACES.flatMap((p) => [...store.rows.get(p)!.values()]).filter(
    (v) => !v.startsWith('{'),
  );

describe('rotateNumberKeys', () => {
  it('waits for every process to learn the key, then for stragglers, and re-encrypts in batches', async () => {
    const { store, writer, sleeps, deps } = setup(7);
    const batches: number[] = [];
    const report = await rotateNumberKeys({
      ...deps,
      batchSize: 3,
      onProgress: (e) => {
        if (e.type === 'batch') batches.push(e.updated);
      },
    });
    assert.deepEqual(sleeps, [KEY_ACTIVATION_DELAY_MS, STRAGGLER_WAIT_MS]);
    assert.deepEqual(batches, [3, 3, 1, 3, 1]);
    assert.deepEqual(report.reencrypted, {
      'callers.number_enc': 7,
      'sim_messages.to_enc': 0,
      'evidence_log.content': 4,
      'intake_log.caller_enc': 0,
    });
    assert.ok(values(store).every((v) => v.startsWith('k2:')));
    assert.deepEqual(store.rows.get('evidence_log.content')!.get(2), '{}', 'plain stays plain');
    assert.equal(writer.decrypt(store.rows.get('evidence_log.content')!.get(3)!), '{"n":3}');
    assert.equal(store.audits.length, 1);
  });

  it('picks up in the second pass what changed during the first', async () => {
    const { store, writer, deps } = setup(3);
    const callers = store.rows.get('callers.number_enc')!;
    store.beforeWrite = (place) => {
      if (place !== 'callers.number_enc') return;
      store.beforeWrite = null;
      // Someone rewrites row 2 between the batch's read and its write: compare-and-set loses.
      callers.set(2, new NumberVault(SECRET).encrypt('+33612345699'));
    };
    const changed: number[] = [];
    const report = await rotateNumberKeys({
      ...deps,
      onProgress: (e) => {
        if (e.type === 'batch') changed.push(e.changed);
      },
    });
    assert.equal(changed[0], 1);
    assert.equal(report.reencrypted['callers.number_enc'], 3);
    assert.equal(writer.decrypt(callers.get(2)!), '+33612345699', 'the newer value was kept');
    assert.ok(values(store).every((v) => v.startsWith('k2:')));
  });

  it('keeps a version that unreadable values still use, and takes the job up again next time', async () => {
    const { store, deps } = setup(2);
    const corrupt = `v1:${Buffer.alloc(40).toString('base64url')}`;
    store.rows.get('sim_messages.to_enc')!.set(9, corrupt);
    const first = await rotateNumberKeys(deps);
    assert.deepEqual(first.kept, [{ version: 1, uses: 1 }]);
    assert.deepEqual(first.unreadable, [{ place: 'sim_messages.to_enc', ids: [9] }]);

    // The operator restores the row from a backup: the next run finishes the rotation to k2.
    store.rows.get('sim_messages.to_enc')!.set(9, new NumberVault(SECRET).encrypt('+33612345688'));
    const second = await rotateNumberKeys(deps);
    assert.equal(second.version, 2);
    assert.equal(second.resumed, true);
    assert.equal(second.reencrypted['sim_messages.to_enc'], 1);
    assert.deepEqual(second.kept, []);
    assert.ok(values(store).every((v) => v.startsWith('k2:')));
  });

  it('takes up the version another rotation created a moment before', async () => {
    const { store, vault, clock, sleeps, deps } = setup(2);
    store.raceOnCreate = {
      version: 2,
      wrapped: vault.newWrappedKey(2),
      createdAt: clock.now(),
      activeFrom: clock.now() + 5_000,
      retiredAt: null,
    };
    const report = await rotateNumberKeys(deps);
    assert.equal(report.version, 2);
    assert.equal(report.resumed, true);
    assert.equal(sleeps[0], 5_000, 'waits for that version’s own activation');
    assert.equal(store.keys.filter((k) => k.version >= 2).length, 1);
  });

  it('destroys the previous data key and never touches a newer rotation’s values', async () => {
    const { store, writer, deps } = setup(2);
    await rotateNumberKeys(deps);
    const second = await rotateNumberKeys(deps);
    assert.equal(second.version, 3);
    assert.deepEqual(second.retired, [2]);
    assert.deepEqual(second.destroyed, [2]);
    assert.equal(store.keys.find((k) => k.version === 2)!.wrapped, '');
    await writer.reload();
    assert.ok(values(store).every((v) => v.startsWith('k3:')));
    assert.equal(writer.decrypt(store.rows.get('callers.number_enc')!.get(1)!), '+33612345611');
  });
});
