import type { Clock } from '../domain/clock.ts';
import {
  KEY_RELOAD_MS,
  type KeyVersion,
  type NumberKeySource,
  type NumberVault,
} from './number-vault.ts';

/**
 * Every column that holds vault ciphertext. A new one must be added here (the repository's map is
 * typed by this list), or rotation would leave its values behind under a key it then destroys.
 */
export const ENCRYPTED_PLACES = [
  'callers.number_enc',
  'sim_messages.to_enc',
  'evidence_log.content',
  'intake_log.caller_enc',
] as const;
export type EncryptedPlace = (typeof ENCRYPTED_PLACES)[number];

/**
 * A new version becomes current this long after it is created: three reloads (KEY_RELOAD_MS), so
 * every running process knows it before any process writes a value under it. Every process knows
 * it within one reload; the rest is margin for a slow reload and for clocks that disagree (a
 * process whose clock runs ahead of the command's switches early: clocks must agree within 10 s,
 * which NTP gives; one running behind is handled by the vault, see NumberVault#current).
 */
export const KEY_ACTIVATION_DELAY_MS = 3 * KEY_RELOAD_MS;

/**
 * After the older versions are retired, the rotation waits this long (two reloads) before its
 * second pass: a process that had not switched yet (its clock behind, or between two reloads) may
 * still have written values under them, and every process has read the retirement by then.
 */
export const STRAGGLER_WAIT_MS = 2 * KEY_RELOAD_MS;

/** Rows re-encrypted per transaction. */
export const ROTATION_BATCH = 500;

/** Stored values using each version, for one place. */
export interface PlaceUsage {
  place: EncryptedPlace;
  /** Encrypted values in this place (plain evidence contents are not counted). */
  total: number;
  byVersion: Map<number, number>;
}

export interface BatchOutcome {
  /** Rows read (not under the target version); fewer than the limit means the place is done. */
  seen: number;
  /** Rows rewritten under the target version. */
  updated: number;
  /** Rows changed by someone else between read and write (compare-and-set lost): next pass. */
  changed: number;
  /** Ids whose value could not be decrypted; left as they are. */
  unreadable: number[];
  lastId: number;
}

/** What rotation needs from storage (storage/number-keys-repo.ts). */
export interface KeyRotationStore extends NumberKeySource {
  /** Inserts a version; false when it exists already (another rotation created it). */
  createKey(key: {
    version: number;
    wrapped: string;
    createdAt: number;
    activeFrom: number;
  }): Promise<boolean>;
  /** Marks every version below `version` retired (version 1 gets a row); returns those it marked. */
  retireBelow(version: number, at: number): Promise<number[]>;
  /** Wipes a retired version's wrapped key; false when there was nothing to wipe. */
  destroyKey(version: number): Promise<boolean>;
  usage(versions: readonly number[]): Promise<PlaceUsage[]>;
  /**
   * In one transaction: reads up to `limit` rows of `place` after `afterId` whose value is not under
   * `target`, and rewrites each with `convert(value)` where it still holds the value read.
   */
  reencryptBatch(
    place: EncryptedPlace,
    target: number,
    afterId: number,
    limit: number,
    convert: (stored: string) => string,
  ): Promise<BatchOutcome>;
  audit(entry: {
    at: number;
    actor: string;
    action: string;
    target: string;
    detail: Record<string, unknown>;
  }): Promise<void>;
}

export type RotationEvent =
  | { type: 'created' | 'resumed'; version: number; activeFrom: number }
  | { type: 'waiting'; ms: number; reason: 'activation' | 'stragglers'; retired: number[] }
  | { type: 'batch'; pass: 1 | 2; place: EncryptedPlace; updated: number; changed: number }
  | { type: 'pass'; pass: 1 | 2; counts: Record<EncryptedPlace, number> };

export interface RotationDeps {
  store: KeyRotationStore;
  /** This process's vault, reading its versions from `store`. */
  vault: NumberVault;
  clock: Clock;
  /** Waits (tests pass one that moves a manual clock). */
  sleep(ms: number): Promise<void>;
  actor: string;
  onProgress?: (event: RotationEvent) => void;
  batchSize?: number;
}

export interface RotationReport {
  version: number;
  /** An unfinished rotation (a crash, values left behind) was taken up instead of a new version. */
  resumed: boolean;
  reencrypted: Record<EncryptedPlace, number>;
  /** Older versions this run retired (they never encrypt again). */
  retired: number[];
  /** Keys wiped by this run: nothing stored used them any more. */
  destroyed: number[];
  /** Older versions still used by stored values (kept readable; run the rotation again). */
  kept: { version: number; uses: number }[];
  unreadable: { place: EncryptedPlace; ids: number[] }[];
  tookMs: number;
}

/**
 * `nonmerci secret rotate`: adds a key version (or takes up an unfinished rotation), waits until
 * every process knows it and it is current, re-encrypts every stored value under it in batches with
 * compare-and-set, retires the older versions, waits for stragglers, re-encrypts again, then
 * destroys the retired keys nothing uses any more. Running processes need no restart: they read the
 * versions every KEY_RELOAD_MS. Safe to run again after a crash: it finishes the job.
 */
export async function rotateNumberKeys(deps: RotationDeps): Promise<RotationReport> {
  const { store, vault, clock } = deps;
  const emit = deps.onProgress ?? (() => {});
  const started = clock.now();
  await vault.reload();
  const target = await chooseTarget(deps);
  emit({ type: target.resumed ? 'resumed' : 'created', ...target });
  await vault.reload();

  const reencrypted = emptyCounts();
  const unreadable = new Map<EncryptedPlace, Set<number>>();
  await waitUntil(deps, target.activeFrom, 'activation', []);
  await pass(deps, target.version, 1, reencrypted, unreadable);

  const retired = await store.retireBelow(target.version, clock.now());
  await vault.reload();
  await waitUntil(deps, clock.now() + STRAGGLER_WAIT_MS, 'stragglers', retired);
  await vault.reload();
  await pass(deps, target.version, 2, reencrypted, unreadable);

  const older = vault.versions().filter((v) => v.version < target.version);
  const usage = await store.usage(older.map((v) => v.version));
  const destroyed: number[] = [];
  const kept: { version: number; uses: number }[] = [];
  for (const v of older) {
    const uses = usesOf(usage, v.version);
    if (uses > 0) kept.push({ version: v.version, uses });
    else if (!v.derived && !v.destroyed && (await store.destroyKey(v.version)))
      destroyed.push(v.version);
  }
  await vault.reload();

  const report: RotationReport = {
    version: target.version,
    resumed: target.resumed,
    reencrypted,
    retired,
    destroyed,
    kept,
    unreadable: [...unreadable].map(([place, ids]) => ({ place, ids: [...ids] })),
    tookMs: clock.now() - started,
  };
  await store.audit({
    at: clock.now(),
    actor: deps.actor,
    action: 'secret.rotate',
    target: `number key ${target.version}`,
    detail: {
      version: report.version,
      resumed: report.resumed,
      reencrypted: report.reencrypted,
      retired: report.retired,
      destroyed: report.destroyed,
      kept: report.kept,
      unreadable: report.unreadable.reduce((n, u) => n + u.ids.length, 0),
      tookMs: report.tookMs,
    },
  });
  return report;
}

export interface KeyStatus {
  current: number;
  versions: (KeyVersion & { uses: Record<EncryptedPlace, number>; total: number })[];
  /** Encrypted values under no known version (not written by this deployment). */
  unknown: number;
}

/** `nonmerci secret status`: every version, the current one, and how many values use each. */
export async function keyStatus(store: KeyRotationStore, vault: NumberVault): Promise<KeyStatus> {
  await vault.reload();
  const versions = vault.versions();
  const usage = await store.usage(versions.map((v) => v.version));
  let unknown = 0;
  for (const u of usage) {
    let known = 0;
    for (const n of u.byVersion.values()) known += n;
    unknown += u.total - known;
  }
  return {
    current: vault.currentVersion(),
    versions: versions.map((v) => {
      const uses = emptyCounts();
      for (const u of usage) uses[u.place] = u.byVersion.get(v.version) ?? 0;
      return { ...v, uses, total: usesOf(usage, v.version) };
    }),
    unknown,
  };
}

/**
 * The version to rotate to. The highest version is taken up again when the job it started is not
 * done (an older version not retired, a retired key not destroyed, or values still under an older
 * version); otherwise a new version is created, current KEY_ACTIVATION_DELAY_MS from now.
 */
async function chooseTarget(
  deps: RotationDeps,
): Promise<{ version: number; activeFrom: number; resumed: boolean }> {
  const versions = deps.vault.versions();
  const highest = versions.at(-1)!;
  if (highest.version >= 2 && highest.retiredAt === null) {
    const older = versions.filter((v) => v.version < highest.version);
    const unfinished =
      older.some((v) => v.retiredAt === null || (!v.derived && !v.destroyed)) ||
      usesOf(await deps.store.usage(older.map((v) => v.version)), ...older.map((v) => v.version)) >
        0;
    if (unfinished)
      return { version: highest.version, activeFrom: highest.activeFrom, resumed: true };
  }
  const version = highest.version + 1;
  const now = deps.clock.now();
  const activeFrom = now + KEY_ACTIVATION_DELAY_MS;
  const created = await deps.store.createKey({
    version,
    wrapped: deps.vault.newWrappedKey(version),
    createdAt: now,
    activeFrom,
  });
  if (created) return { version, activeFrom, resumed: false };
  // Another rotation created this version between our read and our insert: take it up.
  await deps.vault.reload();
  return chooseTarget(deps);
}

async function waitUntil(
  deps: RotationDeps,
  at: number,
  reason: 'activation' | 'stragglers',
  retired: number[],
): Promise<void> {
  let announced = false;
  for (let left = at - deps.clock.now(); left > 0; left = at - deps.clock.now()) {
    if (!announced) deps.onProgress?.({ type: 'waiting', ms: left, reason, retired });
    announced = true;
    await deps.sleep(left);
  }
}

async function pass(
  deps: RotationDeps,
  target: number,
  number: 1 | 2,
  total: Record<EncryptedPlace, number>,
  unreadable: Map<EncryptedPlace, Set<number>>,
): Promise<void> {
  const limit = deps.batchSize ?? ROTATION_BATCH;
  const counts = emptyCounts();
  for (const place of ENCRYPTED_PLACES) {
    for (let afterId = 0; ;) {
      const batch = await deps.store.reencryptBatch(place, target, afterId, limit, (stored) =>
        deps.vault.reencrypt(stored, target),
      );
      counts[place] += batch.updated;
      total[place] += batch.updated;
      if (batch.unreadable.length > 0) {
        const ids = unreadable.get(place) ?? new Set<number>();
        for (const id of batch.unreadable) ids.add(id);
        unreadable.set(place, ids);
      }
      if (batch.seen > 0)
        deps.onProgress?.({
          type: 'batch',
          pass: number,
          place,
          updated: batch.updated,
          changed: batch.changed,
        });
      if (batch.seen < limit) break;
      afterId = batch.lastId;
    }
  }
  deps.onProgress?.({ type: 'pass', pass: number, counts });
}

function usesOf(usage: readonly PlaceUsage[], ...versions: number[]): number {
  let n = 0;
  for (const u of usage) for (const v of versions) n += u.byVersion.get(v) ?? 0;
  return n;
}

function emptyCounts(): Record<EncryptedPlace, number> {
  return Object.fromEntries(ENCRYPTED_PLACES.map((p) => [p, 0])) as Record<EncryptedPlace, number>;
}
