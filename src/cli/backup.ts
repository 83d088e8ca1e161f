import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { NumberVault } from '../privacy/number-vault.ts';
import { BackupError, checkBackup, restoreBackup, writeBackup } from '../storage/backup.ts';
import { openStorage } from '../storage/db.ts';
import { describeVerdict } from './evidence.ts';
import { withHotline } from './operator.ts';

type Print = (line: string) => void;

const DIALECT_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' } as const;

/** "12.3 MB", "845 kB". */
function size(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Where this deployment's master secret lives, for the reminder printed with every backup. */
function secretLocation(config: Config): string {
  const file = join(config.dataDir, 'secret');
  return !process.env.NONMERCI_SECRET && existsSync(file)
    ? `the file ${file}`
    : 'the setting NONMERCI_SECRET';
}

/**
 * `nonmerci backup FILE`: one consistent backup of the whole database, taken while the hotline
 * runs, in a format that restores into SQLite or PostgreSQL (see storage/backup.ts).
 */
export async function runBackup(
  config: Config,
  cmd: { file: string | null },
  print: Print,
): Promise<number> {
  if (!cmd.file)
    throw new InvalidInputError(
      'Say where to write the backup: nonmerci backup FILE (e.g. nonmerci-2026-11-01.backup).',
    );
  const storage = openStorage(config.database);
  try {
    const started = Date.now();
    const { file, bytes, header } = await writeBackup(storage, cmd.file);
    const rows = header.tables.reduce((sum, t) => sum + t.rows, 0);
    const count = (name: string) => header.tables.find((t) => t.name === name)?.rows ?? 0;
    print(
      `Wrote ${file} (${size(bytes)}, readable by you only) in ${seconds(Date.now() - started)}: ${rows} rows in ${header.tables.length} tables from ${storage.describe}, as of ${header.createdAt}.`,
    );
    print(
      `  ${count('contacts')} contacts, ${count('replies')} replies, ${count('evidence_log')} evidence entries; database migration ${header.migrations.at(-1) ?? 'none'}.`,
    );
    print(`  SHA-256 of its content: ${header.sha256}`);
    print('');
    print(
      `The backup does not hold the master secret: phone numbers in it stay encrypted, and it cannot be restored without that secret, which is in ${secretLocation(config)}.`,
    );
    print(
      'Keep a copy of the secret away from the backups (a password manager, or a sealed envelope): whoever holds both can read everything, and without the secret every backup is useless.',
    );
    return 0;
  } finally {
    await storage.close();
  }
}

/**
 * `nonmerci restore FILE [--force]`: checks a backup through, then loads it into the database of
 * DATABASE_URL, which must be empty unless --force. Prints what it did and the evidence chain's
 * verdict on the restored data (exit status 1 when the chain is broken).
 */
export async function runRestore(
  config: Config,
  cmd: { file: string | null; force: boolean },
  print: Print,
): Promise<number> {
  if (!cmd.file)
    throw new InvalidInputError('Say which backup to restore: nonmerci restore FILE [--force].');
  const started = Date.now();
  const checked = await checkBackup(cmd.file);
  const { header } = checked;
  print(
    `${cmd.file} is intact: ${DIALECT_NAMES[header.sourceDialect]} backup of ${header.createdAt}, ${header.tables.reduce((sum, t) => sum + t.rows, 0)} rows, SHA-256 ${header.sha256.slice(0, 16)}…`,
  );
  const storage = openStorage(config.database);
  let result;
  try {
    result = await restoreBackup(storage, checked, {
      force: cmd.force,
      secretCheck: new NumberVault(config.secret).blindIndex('nonmerci secret check'),
    });
  } catch (error) {
    if (error instanceof BackupError && error.code === 'backup_secret' && config.secretGeneratedAt)
      throw new BackupError(
        'backup_secret',
        `${error.message} (No secret was set, so a new one was just generated in ${config.secretGeneratedAt}: replace its content by the old secret.)`,
      );
    throw error;
  } finally {
    await storage.close();
  }
  print(
    `Restored ${result.rows} rows into ${storage.describe} in ${seconds(Date.now() - started)}${result.replaced > 0 ? ` (--force: the ${result.replaced} rows it held were removed first)` : ''}.`,
  );
  if (result.migratedAfter.length > 0)
    print(`  Then updated its tables: ${result.migratedAfter.join(', ')}.`);
  print(
    `  ${result.pendingReplies} replies are still to be sent or decided; they go out once nonmerci runs on this database.${result.leasesReleased > 0 ? ` ${result.leasesReleased} of them were being sent when the backup was made: a worker takes them again and first asks the provider whether they went out.` : ''}`,
  );
  // The restore is done either way; a broken chain came with the backup and must be seen.
  const verdict = await withHotline(config, (h) => h.evidence.verify());
  for (const line of describeVerdict(verdict)) print(line);
  return verdict.intact ? 0 : 1;
}
