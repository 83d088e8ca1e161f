import { existsSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.ts';
import { checkTariff, type Tariff } from '../hotline/tariff.ts';
import { formatMoney, MICROS } from '../domain/types.ts';
import { assertTimeZone } from '../policy/budget-periods.ts';
import { ARRIVALS, webhookAddresses, type EndpointPurpose } from '../telephony/endpoints.ts';

/**
 * The checks behind `nonmerci doctor` and `GET /readyz`: each says what holds, or what is wrong and
 * what to do about it. The functions take what they look at and return a verdict; reading the
 * database, the file system or a provider is left to the caller, except for file modes and disk
 * space, which are read here.
 */
export interface Check {
  id: string;
  ok: boolean;
  message: string;
  /** What to do when the check fails (or a reminder when it holds); null when nothing is needed. */
  fix: string | null;
  /**
   * Why a provider check failed, for screens that say it in their reader's language:
   * provider_auth, provider_unreachable, provider_error, no_credentials, number_not_set,
   * not_on_account or wrong_webhooks.
   */
  reason?: string;
  /** The addresses set wrongly at the provider (wrong_webhooks), and where they point instead. */
  wrong?: { name: string; purpose: EndpointPurpose; found: string | null; method: string | null }[];
}

const pass = (id: string, message: string, fix: string | null = null): Check => ({
  id,
  ok: true,
  message,
  fix,
});
const fail = (id: string, message: string, fix: string): Check => ({ id, ok: false, message, fix });

const DAY = 86_400_000;

export function databaseCheck(describe: string, error: unknown): Check {
  return error === null
    ? pass('database', `The database answers (${describe}).`)
    : fail(
        'database',
        `The database does not answer (${describe}): ${error instanceof Error ? error.message : JSON.stringify(error)}.`,
        'Check DATABASE_URL, and that PostgreSQL is running and accepts this user.',
      );
}

/** `known`: how many migrations this version has (all pending: the database is new). */
export function migrationsCheck(pending: string[], known: number): Check {
  if (pending.length > 0 && pending.length === known)
    return fail(
      'migrations',
      'The database holds no nonmerci tables yet.',
      'Start the server once ("npm start") or run "npx nonmerci migrate".',
    );
  return pending.length === 0
    ? pass('migrations', 'The database tables are up to date.')
    : fail(
        'migrations',
        `${pending.length} database update${pending.length > 1 ? 's are' : ' is'} pending: ${pending.join(', ')}.`,
        'Run "npx nonmerci migrate" (the server also applies them when it starts).',
      );
}

/** The master secret is there; where it lives, its file is private; a reminder to keep a copy. */
export function secretCheck(config: Config): Check {
  const file = join(config.dataDir, 'secret');
  const fromFile = !process.env.NONMERCI_SECRET && existsSync(file);
  if (fromFile) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077)
      return fail(
        'secret',
        `The secret file ${file} can be read by other users (mode ${mode.toString(8)}).`,
        `Run "chmod 600 ${file}" (the server also does it when it starts).`,
      );
  }
  return pass(
    'secret',
    fromFile
      ? `The master secret is in ${file}, readable by this user only.`
      : 'The master secret is set (NONMERCI_SECRET).',
    'Keep a copy of it away from this machine (a password manager): without it the stored numbers and every backup are unreadable.',
  );
}

/** SQLite files and the data folder are private to the user running nonmerci. */
export function fileModesCheck(config: Config): Check {
  const loose: string[] = [];
  const look = (path: string, wanted: number) => {
    if (!existsSync(path)) return;
    const mode = statSync(path).mode & 0o777;
    if (mode & ~wanted & 0o777) loose.push(`${path} (${mode.toString(8)})`);
  };
  if (config.database.kind === 'sqlite' && config.database.path !== ':memory:') {
    const db = config.database.path;
    if (config.database.inDataDir) look(config.dataDir, 0o700);
    for (const suffix of ['', '-wal', '-shm']) look(`${db}${suffix}`, 0o600);
  }
  return loose.length === 0
    ? pass('file_modes', 'The data files are readable by this user only.')
    : fail(
        'file_modes',
        `Other users of this machine can read: ${loose.join(', ')}.`,
        'Restart the server (it makes them private), or run chmod 700 on the folder and chmod 600 on the files.',
      );
}

/** The caps in force (the dashboard's, else the settings') are above zero and consistent. */
export function capsCheck(tariff: Tariff, currency: string): Check {
  try {
    checkTariff(tariff);
  } catch (error) {
    return fail(
      'caps',
      `The budget is not sane: ${(error as Error).message}`,
      "Set it again on the dashboard's Budget page, or with SMS_SEGMENT_PRICE, BUDGET_DAILY and BUDGET_MONTHLY.",
    );
  }
  const replies = Math.floor(tariff.dailyMicros / tariff.segmentPriceMicros);
  return pass(
    'caps',
    `At most ${formatMoney(tariff.dailyMicros, currency)} a day and ${formatMoney(tariff.monthlyMicros, currency)} a month (${replies} one-segment replies a day at ${formatMoney(tariff.segmentPriceMicros, currency)}).`,
    tariff.segmentPriceMicros < 0.01 * MICROS
      ? 'The price per segment looks very low: set it at or above what your provider charges.'
      : null,
  );
}

/**
 * The intake log: events acknowledged and not yet recorded (a backlog drains by itself after a
 * flood), and events set aside after failing again and again, which need a look.
 */
export function intakeCheck(
  backlog: { waiting: number; oldestAt: number | null; setAside: number },
  now: number,
): Check {
  if (backlog.setAside > 0)
    return fail(
      'intake',
      `${backlog.setAside} received call(s) or text(s) could not be recorded after several attempts; they are kept in the intake log (table intake_log, with their last error).`,
      'Look for "could not record an event of the intake log" in the server\'s log and fix its cause; every start of the server tries them again.',
    );
  if (backlog.waiting === 0) return pass('intake', 'Every call and text received is recorded.');
  const age =
    backlog.oldestAt === null ? 0 : Math.max(0, Math.round((now - backlog.oldestAt) / 1000));
  return pass(
    'intake',
    `${backlog.waiting} call(s) or text(s) received are waiting to be recorded (the oldest for ${age} s).`,
    age > 60
      ? 'If this number does not go down, check that a "serve" process other than --role web is running.'
      : null,
  );
}

export function timeZoneCheck(timeZone: string): Check {
  try {
    assertTimeZone(timeZone);
    return pass('time_zone', `Budget days and months follow ${timeZone}.`);
  } catch {
    return fail(
      'time_zone',
      `"${timeZone}" is not a time zone.`,
      'Set TIMEZONE to a name such as Europe/Paris.',
    );
  }
}

/** Free space where the data lives: below 1 GiB or 5 % the database may soon stop taking writes. */
export function diskCheck(path: string): Check {
  let stats;
  try {
    stats = statfsSync(existsSync(path) ? path : '.');
  } catch (error) {
    return fail(
      'disk',
      `Free disk space could not be read: ${(error as Error).message}.`,
      'Check that NONMERCI_DATA_DIR exists.',
    );
  }
  const free = stats.bavail * stats.bsize;
  const share = stats.blocks > 0 ? stats.bavail / stats.blocks : 1;
  const gib = (free / 2 ** 30).toFixed(1);
  return free < 2 ** 30 || share < 0.05
    ? fail(
        'disk',
        `Only ${gib} GiB (${Math.round(share * 100)} %) of disk space is free where the data lives.`,
        'Free some space or grow the disk: when it is full, calls and texts can no longer be recorded.',
      )
    : pass('disk', `${gib} GiB of disk space free (${Math.round(share * 100)} %).`);
}

/** The last backup: none yet is fine (with a reminder); older than 7 days is not. */
export function backupCheck(last: { at: number; file: string } | null, now: number): Check {
  const how =
    'Run "npx nonmerci backup FILE" regularly (e.g. every night from cron) and keep the files on another machine.';
  if (!last) return pass('backup', 'No backup has been made yet.', how);
  const days = Math.floor((now - last.at) / DAY);
  const when = days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
  return now - last.at > 7 * DAY
    ? fail('backup', `The last backup (${last.file}) was made ${when}.`, how)
    : pass('backup', `The last backup (${last.file}) was made ${when}.`);
}

/**
 * PUBLIC_URL, when a real provider calls it: https, and /healthz answers through it (with any
 * certificate Node trusts, NODE_EXTRA_CA_CERTS included).
 */
export async function publicUrlCheck(
  publicUrl: string,
  fetcher: typeof fetch = fetch,
): Promise<Check> {
  const url = new URL(publicUrl);
  if (url.protocol !== 'https:')
    return fail(
      'public_url',
      `PUBLIC_URL (${publicUrl}) is not https: the provider will not send webhooks to it safely, and the session cookie would travel in clear.`,
      'Put the server behind an HTTPS reverse proxy (see deploy/Caddyfile) and set PUBLIC_URL to its https address.',
    );
  try {
    const res = await fetcher(`${publicUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
    if (res.ok && body?.status === 'ok')
      return pass('public_url', `${publicUrl}/healthz answers through the public address.`);
    return fail(
      'public_url',
      `${publicUrl}/healthz answered ${res.status}${typeof body?.status === 'string' ? ` (${body.status})` : ''}, not nonmerci's "ok".`,
      'Check that the reverse proxy forwards to the nonmerci server and that the server is running.',
    );
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return fail(
      'public_url',
      `${publicUrl}/healthz cannot be reached: ${cause?.message ?? (error as Error).message}.`,
      cause?.code?.includes('CERT') || /certificate/i.test(cause?.message ?? '')
        ? "The certificate is not trusted: fix the reverse proxy's certificate (a private one can be trusted with NODE_EXTRA_CA_CERTS)."
        : 'Check the DNS name, the firewall (port 443) and that the reverse proxy is running.',
    );
  }
}

/** One webhook as the provider holds it: its address, and its HTTP method when the provider says. */
export interface WebhookSetting {
  url: string | null;
  method?: string | null;
}

/** What the provider account and the number say, as read by the caller. */
export interface ProviderView {
  provider: string;
  /** The credentials were refused or the API could not be reached: the reason, else null. */
  error: string | null;
  /** The error's code (provider_auth, provider_unreachable, provider_error). */
  errorCode?: string;
  number: string | null;
  /**
   * The number's webhooks at the provider, by endpoint name (endpoints.ts), or null when the number
   * is not on the account. Only the names given are checked: an address each reply names itself
   * (Twilio's status) need not be set at the provider.
   */
  webhooks: Record<string, WebhookSetting> | null;
  /** Check ids, when several providers are checked at once (default provider_credentials, webhooks). */
  ids?: { credentials: string; webhooks: string };
}

/** The credentials, then the number's webhooks against webhookAddresses(PUBLIC_URL, provider). */
export function providerChecks(view: ProviderView, publicUrl: string): Check[] {
  const ids = view.ids ?? { credentials: 'provider_credentials', webhooks: 'webhooks' };
  const connect = `Run "npx nonmerci connect ${view.provider}".`;
  if (view.error)
    return [
      {
        ...fail(ids.credentials, view.error, `Check the credentials, or ${connect}`),
        reason: view.errorCode ?? 'provider_error',
      },
    ];
  const checks = [pass(ids.credentials, `The ${view.provider} account accepts these credentials.`)];
  if (!view.number)
    return [
      ...checks,
      { ...fail(ids.webhooks, 'HOTLINE_NUMBER is not set.', connect), reason: 'number_not_set' },
    ];
  const held = view.webhooks;
  if (!held)
    return [
      ...checks,
      {
        ...fail(
          ids.webhooks,
          `${view.number} is not a number of this ${view.provider} account.`,
          connect,
        ),
        reason: 'not_on_account',
      },
    ];
  const wanted = webhookAddresses(publicUrl, view.provider).filter((a) => a.name in held);
  const wrong = wanted.filter((a) => {
    const now = held[a.name]!;
    return now.url !== a.url || (now.method != null && now.method.toUpperCase() !== 'POST');
  });
  return [
    ...checks,
    wrong.length === 0
      ? pass(ids.webhooks, `Calls and texts to ${view.number} come to ${publicUrl}.`)
      : {
          ...fail(
            ids.webhooks,
            `${view.number} sends ${wrong.map((a) => `${ARRIVALS[a.purpose]} to ${describe(held[a.name]!)}`).join(', and ')}, not to ${publicUrl} (${wrong.map((a) => a.url).join(', ')}, with HTTP POST).`,
            connect,
          ),
          reason: 'wrong_webhooks',
          wrong: wrong.map((a) => ({
            name: a.name,
            purpose: a.purpose,
            found: held[a.name]!.url,
            method: held[a.name]!.method ?? null,
          })),
        },
  ];
}

const describe = (w: WebhookSetting) =>
  `${w.url ?? 'nowhere'}${w.url && w.method && w.method.toUpperCase() !== 'POST' ? ` (with ${w.method.toUpperCase()})` : ''}`;
