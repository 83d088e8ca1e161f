import type { Config } from '../config/load.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { formatDuration } from '../domain/duration.ts';
import { InvalidInputError } from '../domain/errors.ts';
import {
  ENCRYPTED_PLACES,
  keyStatus,
  rotateNumberKeys,
  type EncryptedPlace,
  type RotationEvent,
} from '../privacy/key-rotation.ts';
import { NumberVault, versionPrefix, type KeyVersion } from '../privacy/number-vault.ts';
import { openStorage } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { NumberKeysRepo } from '../storage/number-keys-repo.ts';
import { assertSameSecret } from '../storage/secret-check.ts';
import { localTime } from './operator.ts';

type Print = (line: string) => void;

export interface SecretCommand {
  action: string | null;
  actor: string;
}

/** Injected by tests: a manual clock and a sleep that moves it. */
export interface SecretRuntime {
  clock: Clock;
  sleep(ms: number): Promise<void>;
}

/** A progress line is printed every this many values re-encrypted in one place. */
const PROGRESS_EVERY = 10_000;

const PLACE_NAMES: Record<EncryptedPlace, string> = {
  'callers.number_enc': 'caller numbers',
  'sim_messages.to_enc': 'simulator outbox',
  'evidence_log.content': 'evidence journal',
  'intake_log.caller_enc': 'events waiting to be recorded',
};

/**
 * `nonmerci secret rotate|status`. Rotation re-encrypts the stored numbers under a new key while
 * the hotline runs; NONMERCI_SECRET itself does not change (see privacy/key-rotation.ts).
 */
export async function runSecret(
  config: Config,
  cmd: SecretCommand,
  print: Print,
  runtime: SecretRuntime = {
    clock: systemClock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): Promise<number> {
  const action = cmd.action ?? 'status';
  if (action !== 'rotate' && action !== 'status')
    throw new InvalidInputError(`"${action}" is not a secret action; use rotate or status.`);
  const storage = openStorage(config.database);
  try {
    await migrateToLatest(storage);
    const store = new NumberKeysRepo(storage.db);
    const vault = new NumberVault(config.secret, { keys: store, clock: runtime.clock });
    await assertSameSecret(storage.db, vault);
    if (action === 'status') {
      const status = await keyStatus(store, vault);
      print(`Number keys on ${storage.describe} (current: ${name(status.current)}):`);
      for (const v of status.versions) {
        const uses = ENCRYPTED_PLACES.filter((p) => v.uses[p] > 0)
          .map((p) => `${PLACE_NAMES[p]} ${v.uses[p]}`)
          .join(', ');
        print(
          `  ${name(v.version).padEnd(4)} ${stateOf(v, status.current, config.timeZone)}; ${v.total} stored value${v.total === 1 ? '' : 's'}${uses ? ` (${uses})` : ''}`,
        );
      }
      if (status.unknown > 0)
        print(`  ⚠  ${status.unknown} encrypted values use no known version.`);
      print(
        'Look-ups use a blind index derived from NONMERCI_SECRET; "secret rotate" does not change it.',
      );
      return 0;
    }

    const report = await rotateNumberKeys({
      store,
      vault,
      clock: runtime.clock,
      sleep: (ms) => runtime.sleep(ms),
      actor: cmd.actor,
      onProgress: progress(print),
    });
    for (const version of new Set([...report.retired, ...report.destroyed])) {
      if (report.kept.some((k) => k.version === version)) continue;
      print(
        version === 1
          ? '🗑  v1 retired for good: it derives from NONMERCI_SECRET, so there is no stored key to wipe, but it will never encrypt again.'
          : `🗑  ${name(version)} retired and its key destroyed: no stored value uses it any more.`,
      );
    }
    for (const k of report.kept)
      print(
        `⚠  ${name(k.version)} kept: ${k.uses} stored value${k.uses === 1 ? '' : 's'} still use${k.uses === 1 ? 's' : ''} it. Run "nonmerci secret rotate" again to finish.`,
      );
    for (const u of report.unreadable)
      print(
        `⚠  ${u.place}: row${u.ids.length === 1 ? '' : 's'} ${u.ids.map((id) => `#${id}`).join(', ')} cannot be read with any key and ${u.ids.length === 1 ? 'was' : 'were'} left as ${u.ids.length === 1 ? 'it is' : 'they are'}.`,
      );
    print(
      `✓  Done in ${formatDuration(Math.max(1000, Math.round(report.tookMs / 1000) * 1000))}: every readable stored number is now under ${name(report.version)}.`,
    );
    print(
      'Nothing to restart: running processes switched on their own. NONMERCI_SECRET is unchanged: keep backing it up, the key that protects the number keys and the blind index derive from it.',
    );
    return report.kept.length > 0 || report.unreadable.length > 0 ? 1 : 0;
  } finally {
    await storage.close();
  }
}

/** Prints the rotation as it goes, with a line every PROGRESS_EVERY values on a large table. */
function progress(print: Print): (event: RotationEvent) => void {
  const done = new Map<EncryptedPlace, number>();
  return (event) => {
    switch (event.type) {
      case 'created':
        print(`🔑 New number key ${name(event.version)} created.`);
        return;
      case 'resumed':
        print(`🔑 Finishing the unfinished rotation to ${name(event.version)}.`);
        return;
      case 'waiting':
        print(
          event.reason === 'activation'
            ? `…  Waiting ${formatDuration(Math.ceil(event.ms / 1000) * 1000)}: every running process reads the keys every few seconds, so all of them know the new key before any of them encrypts with it.`
            : `…  ${event.retired.length > 0 ? event.retired.map(name).join(', ') : 'Older keys'} retired: nothing new is encrypted under ${event.retired.length === 1 ? 'it' : 'them'}. Waiting ${formatDuration(Math.ceil(event.ms / 1000) * 1000)} for values written meanwhile by processes that had not switched yet.`,
        );
        return;
      case 'batch': {
        const before = done.get(event.place) ?? 0;
        const after = before + event.updated;
        done.set(event.place, after);
        if (Math.floor(after / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
          print(`   ${PLACE_NAMES[event.place]}: ${after} so far…`);
        return;
      }
      case 'pass':
        done.clear();
        print(
          `${event.pass === 1 ? '↻  Re-encrypted' : '↻  Second pass, re-encrypted'}: ${ENCRYPTED_PLACES.map((p) => `${PLACE_NAMES[p]} ${event.counts[p]}`).join(', ')}.`,
        );
        return;
    }
  };
}

/** "v1", "k2": as stored values begin. */
function name(version: number): string {
  return versionPrefix(version).slice(0, -1);
}

/** What a version is doing now, for "secret status". */
function stateOf(v: KeyVersion, current: number, timeZone: string): string {
  const origin = v.derived
    ? 'derived from NONMERCI_SECRET'
    : `created ${localTime(v.createdAt ?? 0, timeZone)}`;
  if (v.destroyed)
    return `${origin}, retired ${localTime(v.retiredAt ?? 0, timeZone)}, key destroyed`;
  if (v.retiredAt !== null)
    return `${origin}, retired ${localTime(v.retiredAt, timeZone)}${v.derived ? '' : ', key kept while values use it'}`;
  if (v.version === current) return `${origin}, current`;
  if (v.version > current) return `${origin}, current from ${localTime(v.activeFrom, timeZone)}`;
  return `${origin}, superseded (a rotation is not finished)`;
}
