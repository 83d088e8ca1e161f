import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../domain/errors.ts';
import { MICROS, type Language } from '../domain/types.ts';
import { SETTINGS, type SettingName, type SettingValues } from './schema.ts';
import {
  resolveProviders,
  type TelnyxSettings,
  type TwilioSettings,
  type VonageSettings,
} from './providers.ts';
import type { ProviderName } from '../telephony/endpoints.ts';

export type DatabaseTarget =
  | {
      kind: 'sqlite';
      path: string;
      /** The default database, in NONMERCI_DATA_DIR: its folder is kept private (0700) even if it exists. */
      inDataDir?: boolean;
    }
  | { kind: 'postgres'; url: string };

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: DatabaseTarget;
  secret: string;
  /** Set when the secret was generated on this start; the caller warns the operator. */
  secretGeneratedAt: string | null;
  twilio: TwilioSettings | null;
  telnyx: TelnyxSettings | null;
  vonage: VonageSettings | null;
  /** The default line: its number (null: the demo line) and the provider it uses when set. */
  hotline: { number: string | null; language: Language; provider: ProviderName };
  /** Explicit REPLY_DELAY, or null to use the default (1 h, 20 s for the demo line). */
  replyDelayMs: number | null;
  replyCooldownMs: number;
  replyExpiryMs: number;
  /** RETENTION: contacts and texts of ordinary callers are erased after this. */
  retentionMs: number;
  segmentPriceMicros: number;
  currency: string;
  budget: { dailyMicros: number; monthlyMicros: number };
  timeZone: string;
  allowedCountries: string[];
  adminPassword: string | null;
  metricsToken: string | null;
  /** TRUST_PROXY: addresses (or loopback) whose forwarding headers are believed; null for none. */
  trustProxy: string[] | null;
  logLevel: string;
  workerPollMs: number;
  /** How long a claimed reply stays with its worker before another may take it over. */
  workerLeaseMs: number;
  shield: ShieldSettings;
  alerts: {
    webhookUrl: string | null;
    smtpUrl: string | null;
    emailFrom: string | null;
    emailTo: string[];
  };
}

export interface ShieldSettings {
  surgeContactsPerMinute: number;
  surgeNewCallersPerMinute: number;
  surgeFactor: number;
  baselineMs: number;
  quietMs: number;
  /** Slow-raid detector: window over which hostile newcomers are counted. */
  slowWindowMs: number;
  /** Slow-raid detector: hostile newcomers in the window that switch the shield on, at least. */
  slowNewcomers: number;
  /** Pacing: ordinary callers per hour the day's cap is kept for while the shield is on, at least. */
  pacingFloorPerHour: number;
  repeatLimit: number;
}

export const DEFAULT_REPLY_DELAY_MS = 3_600_000;
export const DEMO_REPLY_DELAY_MS = 20_000;

/** Throws one error naming every mistake, so the operator can fix them in one go. */
function throwAll(errors: ConfigError[]): void {
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) {
    const list = errors.map((e) => e.message).join('\n  - ');
    throw new ConfigError('settings', `${errors.length} settings need fixing:\n  - ${list}`);
  }
}

/** Settings that no longer exist, with what replaced them: a stale one stops the start. */
const REMOVED_SETTINGS: Record<string, string> = {
  SHIELD_HOURLY_BUDGET:
    "was replaced by pacing: while the shield is on, the day's cap is spent at a pace that keeps enough for the ordinary callers still expected (SHIELD_PACING_FLOOR per hour at least). Remove SHIELD_HOURLY_BUDGET from your settings (.env)",
};

/** Parses every setting; mistakes are collected in `errors`. */
function parseSettings(env: NodeJS.ProcessEnv, errors: ConfigError[]): SettingValues {
  for (const [name, why] of Object.entries(REMOVED_SETTINGS))
    if (env[name]?.trim()) errors.push(new ConfigError(name, why));
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [
    SettingName,
    (typeof SETTINGS)[SettingName],
  ][]) {
    const raw = env[name]?.trim();
    const text = raw === undefined || raw === '' ? spec.default : raw;
    if (text === undefined) continue;
    try {
      values[name] = spec.parse(text);
    } catch (error) {
      errors.push(new ConfigError(name, (error as Error).message));
    }
  }
  return values as SettingValues;
}

/** Parses every setting, throwing one error that lists all mistakes. */
export function readSettings(env: NodeJS.ProcessEnv): SettingValues {
  const errors: ConfigError[] = [];
  const values = parseSettings(env, errors);
  throwAll(errors);
  return values;
}

function resolveDatabase(value: string | undefined, dataDir: string): DatabaseTarget {
  if (!value) return { kind: 'sqlite', path: join(dataDir, 'nonmerci.db'), inDataDir: true };
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    checkPostgresUrl(value);
    return { kind: 'postgres', url: value };
  }
  if (value.startsWith('sqlite://')) {
    const path = value.slice('sqlite://'.length);
    if (!path)
      throw new ConfigError(
        'DATABASE_URL',
        'sqlite:// needs a file path, e.g. sqlite://./data/nonmerci.db',
      );
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  throw new ConfigError(
    'DATABASE_URL',
    `"${value}" is neither sqlite://PATH nor postgres://…; leave it unset for the built-in SQLite database`,
  );
}

/** A host name, an IPv4 address or a bracketed IPv6 address, as URL leaves them. */
const DATABASE_HOST = /^([a-z0-9_-]+\.)*[a-z0-9_-]+$|^\[[0-9a-f:.]+\]$/i;

/**
 * Refuses a PostgreSQL URL the driver could not use, before it fails with a stack trace. The value
 * is not repeated in the message: it may hold a password. A socket folder is accepted in both
 * spellings the driver knows (postgres:///db?host=/run/postgresql, postgres://%2Frun%2Fpostgresql/db).
 */
function checkPostgresUrl(value: string): void {
  const example = 'write postgres://USER:PASSWORD@HOST:5432/DATABASE';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      `is not a valid PostgreSQL URL (a port above 65535, a space?); ${example}`,
    );
  }
  // No host at all is fine too: the driver then uses PGHOST, or localhost.
  const host = url.hostname;
  const usable = !host || DATABASE_HOST.test(host) || /^%2f/i.test(host);
  if (!usable)
    throw new ConfigError(
      'DATABASE_URL',
      `the host of the PostgreSQL URL is not a host name or an address; ${example} (special characters of the password URL-encoded: @ → %40)`,
    );
}

/**
 * Creates `dir` and its missing parents readable by the owner only (0700), or takes the group's
 * and others' rights away if it exists: it holds the secret and the database. Parents are created
 * one by one (a recursive mkdir loops forever under /proc on some systems).
 */
export function ensurePrivateFolder(dir: string, variable: string): void {
  try {
    const missing: string[] = [];
    for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
    for (const d of missing) mkdirSync(d, { mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error(`${resolve(dir)} is a file, not a folder`);
    tightenMode(dir, 0o700);
  } catch (error) {
    throw new ConfigError(
      variable,
      `cannot make ${resolve(dir)} a folder only this user can open (${(error as Error).message}); write the path of a folder this user may create or write to`,
    );
  }
}

/** Removes from `path` every permission outside `allowed`; never adds one. */
export function tightenMode(path: string, allowed: number): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & ~allowed) !== 0) chmodSync(path, mode & allowed);
}

/**
 * Reads the master secret, or creates one in the data folder (mode 0600) on first start. A secret
 * file or data folder left readable by others by an older version is made private again.
 */
function resolveSecret(
  value: string | undefined,
  dataDir: string,
): { secret: string; generatedAt: string | null } {
  if (value) return { secret: value, generatedAt: null };
  const file = join(dataDir, 'secret');
  ensurePrivateFolder(dataDir, 'NONMERCI_DATA_DIR');
  try {
    if (existsSync(file)) {
      tightenMode(file, 0o600);
      const secret = readFileSync(file, 'utf8').trim();
      if (secret.length < 32)
        throw new ConfigError(
          'NONMERCI_SECRET',
          `${file} is damaged (shorter than 32 characters); restore it from a backup`,
        );
      return { secret, generatedAt: null };
    }
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { secret, generatedAt: file };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      'NONMERCI_SECRET',
      `cannot use ${file} (${(error as Error).message}); make it a file this user may read and write, or set NONMERCI_SECRET`,
    );
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const errors: ConfigError[] = [];
  const s = parseSettings(env, errors);
  const dataDir = resolve(s.NONMERCI_DATA_DIR ?? './data');
  let database: DatabaseTarget = { kind: 'sqlite', path: join(dataDir, 'nonmerci.db') };
  try {
    database = resolveDatabase(s.DATABASE_URL, dataDir);
  } catch (error) {
    errors.push(error as ConfigError);
  }
  const providers = resolveProviders(s, env, s.HOTLINE_PROVIDER, errors);
  if (s.BUDGET_DAILY && s.BUDGET_MONTHLY && s.BUDGET_DAILY > s.BUDGET_MONTHLY)
    errors.push(
      new ConfigError(
        'BUDGET_DAILY',
        `${s.BUDGET_DAILY / MICROS} is above BUDGET_MONTHLY (${s.BUDGET_MONTHLY / MICROS}): a day could never spend it; write a daily cap no larger than the monthly one, e.g. BUDGET_DAILY=5 with BUDGET_MONTHLY=50`,
      ),
    );
  if (s.SMTP_URL && !s.ALERT_EMAIL_TO)
    errors.push(
      new ConfigError('ALERT_EMAIL_TO', 'SMTP_URL is set: say who gets the alert e-mails'),
    );
  if (!s.SMTP_URL && (s.ALERT_EMAIL_TO || s.ALERT_EMAIL_FROM))
    errors.push(
      new ConfigError(
        'SMTP_URL',
        'e-mail alerts need an SMTP server, e.g. smtp://user:password@smtp.example.org:587 (or unset ALERT_EMAIL_TO and ALERT_EMAIL_FROM)',
      ),
    );
  throwAll(errors);
  const { secret, generatedAt } = resolveSecret(s.NONMERCI_SECRET, dataDir);
  const port = s.PORT ?? 3000;
  const host = s.HOST ?? '127.0.0.1';
  return {
    port,
    host,
    publicUrl: s.PUBLIC_URL ?? defaultPublicUrl(host, port),
    dataDir,
    database,
    secret,
    secretGeneratedAt: generatedAt,
    twilio: providers.twilio,
    telnyx: providers.telnyx,
    vonage: providers.vonage,
    hotline: {
      number: s.HOTLINE_NUMBER ?? null,
      language: s.HOTLINE_LANGUAGE ?? 'fr',
      provider: providers.defaultProvider,
    },
    replyDelayMs: env.REPLY_DELAY?.trim() ? (s.REPLY_DELAY ?? null) : null,
    replyCooldownMs: s.REPLY_COOLDOWN!,
    replyExpiryMs: s.REPLY_EXPIRY!,
    retentionMs: s.RETENTION!,
    segmentPriceMicros: s.SMS_SEGMENT_PRICE!,
    currency: s.CURRENCY!,
    budget: { dailyMicros: s.BUDGET_DAILY!, monthlyMicros: s.BUDGET_MONTHLY! },
    timeZone: s.TIMEZONE!,
    allowedCountries: s.ALLOWED_COUNTRIES!,
    adminPassword: s.ADMIN_PASSWORD ?? null,
    metricsToken: s.METRICS_TOKEN ?? null,
    trustProxy: s.TRUST_PROXY ?? null,
    logLevel: s.LOG_LEVEL!,
    workerPollMs: s.WORKER_POLL!,
    workerLeaseMs: s.WORKER_LEASE!,
    shield: shieldSettings(s),
    alerts: {
      webhookUrl: s.ALERT_WEBHOOK_URL ?? null,
      smtpUrl: s.SMTP_URL ?? null,
      emailFrom: s.ALERT_EMAIL_FROM ?? null,
      emailTo: s.ALERT_EMAIL_TO ?? [],
    },
  };
}

/**
 * Without PUBLIC_URL, the server's own address. A wildcard (0.0.0.0, ::) is not an address one can
 * open: the default is then the loopback name, and reaching the server from elsewhere needs
 * PUBLIC_URL (the dashboard only answers to the names it knows; see the Host check in web/app.ts).
 */
function defaultPublicUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

function shieldSettings(s: SettingValues): ShieldSettings {
  return {
    surgeContactsPerMinute: s.SHIELD_SURGE_CONTACTS!,
    surgeNewCallersPerMinute: s.SHIELD_SURGE_NEW_CALLERS!,
    surgeFactor: s.SHIELD_SURGE_FACTOR!,
    baselineMs: s.SHIELD_BASELINE!,
    quietMs: s.SHIELD_QUIET!,
    slowWindowMs: s.SHIELD_SLOW_WINDOW!,
    slowNewcomers: s.SHIELD_SLOW_NEWCOMERS!,
    pacingFloorPerHour: s.SHIELD_PACING_FLOOR!,
    repeatLimit: s.SHIELD_REPEAT_LIMIT!,
  };
}

/** The shield's settings when none is set (documented in the README). */
export const DEFAULT_SHIELD: ShieldSettings = shieldSettings(readSettings({}));

/** The settings table for `--help` and the README. */
export function settingsHelp(): string {
  return Object.entries(SETTINGS)
    .map(
      ([name, spec]) =>
        `  ${name.padEnd(20)} ${spec.help}${'default' in spec && spec.default ? ` (default: ${spec.default})` : ''}`,
    )
    .join('\n');
}
