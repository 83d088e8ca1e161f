import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { planEnvUpdate, writeEnvFile, type EnvChange } from '../config/env-file.ts';
import { readSettings } from '../config/load.ts';
import { SETTINGS, type SettingName, type SettingValues } from '../config/schema.ts';
import { InvalidInputError, NonmerciError } from '../domain/errors.ts';
import { toE164 } from '../domain/phone.ts';
import { webhookAddresses, type ProviderName } from '../telephony/endpoints.ts';
import type { ConnectIo, ConnectOptions } from './connect.ts';

/**
 * The steps every `nonmerci connect <provider>` shares: PUBLIC_URL, credentials from the settings or
 * typed at a prompt, choosing one of the account's numbers, showing the plan, and writing .env. What
 * differs between providers (checking the credentials, where webhooks live, what can be set through
 * the API) is a ProviderFlow.
 */

/** A number of the account, as it is listed and chosen. */
export interface AccountNumber {
  /** E.164, e.g. +33939000000. */
  phoneNumber: string;
  /** What it can do, e.g. "voice and SMS". */
  abilities: string;
  /** Where its calls (or texts) go now, e.g. "calls go to: https://…". */
  where: string;
  /** The provider's name for it, when it has one. */
  label?: string;
  /** What it cannot do that the hotline needs, e.g. "receive calls (no voice capability)". */
  lacks: string[];
}

/** What connecting one number changes at the provider. */
export interface ConnectPlan {
  /** One line per setting at the provider, e.g. "a call comes in: (none) → https://…". */
  changes: string[];
  /** What the API cannot do, and the operator must do in the provider's console. */
  manual: string[];
  warnings: string[];
  /** Makes the changes. */
  apply(): Promise<void>;
}

/** A provider account, once its credentials are accepted. */
export interface ConnectSession<N extends AccountNumber> {
  numbers: N[];
  /** The provider's settings to write to .env (credentials and the like). */
  settings: Partial<Record<SettingName, string>>;
  plan(chosen: N, publicUrl: string, dryRun: boolean): Promise<ConnectPlan>;
}

export interface ProviderFlow<N extends AccountNumber> {
  name: Exclude<ProviderName, 'simulator'>;
  /** "Twilio". */
  label: string;
  /** Where to buy a number, e.g. "buy a 09 number with voice and SMS in the Twilio console". */
  buyNumber: string;
  /**
   * Takes the credentials (io.ask when missing), checks them with the provider and lists the
   * numbers; or returns an exit code when the command cannot go on and has said why.
   */
  open(
    settings: SettingValues,
    io: ConnectIo,
    publicUrl: string,
  ): Promise<ConnectSession<N> | number>;
}

/** Runs a provider's flow with the shared steps; returns the exit code. */
export async function runFlow<N extends AccountNumber>(
  flow: ProviderFlow<N>,
  options: ConnectOptions,
  io: ConnectIo,
): Promise<number> {
  // Every setting is checked as at start; a PUBLIC_URL replaced by --public-url need not be valid.
  const fromOption = options.publicUrl !== null;
  const settings = readSettings(fromOption ? { ...io.env, PUBLIC_URL: undefined } : io.env);
  const publicUrl = webhookBase(
    options.publicUrl ?? settings.PUBLIC_URL ?? null,
    fromOption ? '--public-url' : 'PUBLIC_URL',
    flow.label,
  );
  const wanted = options.number === null ? null : toE164(options.number, 'FR');
  if (options.number !== null && !wanted)
    throw new InvalidInputError(
      `--number "${options.number}" is not a phone number; write it like +33939000000 or 09 39 00 00 00.`,
    );
  const session = await flow.open(settings, io, publicUrl);
  if (typeof session === 'number') return session;
  if (session.numbers.length === 0)
    throw new NonmerciError(
      'number_missing',
      `The ${flow.label} account has no phone number yet. ${capitalised(flow.buyNumber)}, then run this again.`,
    );
  const current = settings.HOTLINE_NUMBER ?? null;
  const chosen = await chooseNumber(session.numbers, wanted, current, io, flow);
  if (!chosen) return 2;
  if (chosen.lacks.length)
    throw new NonmerciError(
      'number_unsuitable',
      `${chosen.phoneNumber} cannot ${chosen.lacks.join(' nor ')}: the hotline answers calls and texts, and replies by SMS, so its number needs both voice and SMS. Choose another number, or ${flow.buyNumber}. Nothing was changed.`,
    );
  if (FRENCH_MOBILE.test(chosen.phoneNumber))
    io.warn(
      `⚠  ${chosen.phoneNumber} is a French mobile number (06/07): automated traffic is not allowed from French mobile numbers (ARCEP keeps them for person-to-person use, and providers' French terms forbid automated calls and texts from them). Use a 09 number for the hotline. Going on, as asked.`,
    );

  const plan = await session.plan(chosen, publicUrl, options.dryRun);
  const envPath = resolve(io.cwd, '.env');
  const envText = readEnvText(envPath);
  const values: Record<string, string> = {
    ...(session.settings as Record<string, string>),
    HOTLINE_NUMBER: chosen.phoneNumber,
    HOTLINE_PROVIDER: flow.name,
    PUBLIC_URL: publicUrl,
  };
  const envPlan = planEnvUpdate(envText, values);
  const verb = options.dryRun ? 'Would set' : 'Setting';
  if (plan.changes.length) {
    io.print(`${verb} on ${chosen.phoneNumber} at ${flow.label} (all with HTTP POST):`);
    for (const line of plan.changes) io.print(`  ${line}`);
  }
  for (const line of plan.warnings) io.warn(`⚠  ${line}`);
  if (plan.manual.length) {
    io.warn(`${flow.label}'s API cannot do this for you; do it in its console:`);
    for (const line of plan.manual) io.warn(`  • ${line}`);
  }
  io.print(`${options.dryRun ? 'Would write' : 'Writing'} in ${envPath} (readable by you only):`);
  for (const change of envPlan.changes) io.print(envLine(change));
  if (options.dryRun) {
    io.print(`Dry run: nothing was changed, at ${flow.label} or in .env.`);
    return 0;
  }

  await plan.apply();
  if (plan.changes.length)
    io.print(`✓ ${chosen.phoneNumber} now sends its calls and texts to ${publicUrl}.`);
  try {
    writeEnvFile(envPath, values);
  } catch (error) {
    throw new NonmerciError(
      'env_unwritable',
      `${flow.label} is set, but ${envPath} could not be written (${(error as Error).message}). Write these lines in it yourself (secrets are masked here: write their values in full):\n${envPlan.changes.map((c) => `  ${shownLine(c.name, c.after)}`).join('\n')}`,
    );
  }
  io.print(`✓ ${envPath} updated.`);
  warnShellOverrides(envText, values, io);
  io.print(
    plan.manual.length
      ? `Next: do what is listed above in the ${flow.label} console, restart nonmerci (npm start), then run "npx nonmerci doctor" to check it all.`
      : 'Next: restart nonmerci (npm start) so that it uses these settings, then call and text the number to try it.',
  );
  return 0;
}

/** The address of one of the provider's webhooks under `publicUrl` (endpoints.ts names them). */
export function addressOf(publicUrl: string, provider: ProviderName, name: string): string {
  const found = webhookAddresses(publicUrl, provider).find((a) => a.name === name);
  if (!found) throw new Error(`${provider} has no webhook named ${name}`);
  return found.url;
}

/** The webhook base URL the provider will call, or an error naming what to set. */
export function webhookBase(
  raw: string | null,
  from: 'PUBLIC_URL' | '--public-url',
  provider = 'The provider',
): string {
  const fix =
    'set PUBLIC_URL=https://hotline.example.org (the public address of your HTTPS reverse proxy) in .env, or pass --public-url https://hotline.example.org';
  if (!raw?.trim())
    throw new InvalidInputError(
      `${from === 'PUBLIC_URL' ? 'PUBLIC_URL is not set' : '--public-url is empty'}, and ${provider} needs the public HTTPS address at which it reaches this hotline: ${fix}.`,
    );
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidInputError(`${from} "${raw}" is not a URL: ${fix}.`);
  }
  if (url.protocol !== 'https:')
    throw new InvalidInputError(
      `${from} is ${url.origin}, but ${provider} must reach the hotline over HTTPS: webhooks carry callers' numbers, and their signatures are checked against this address. Put an HTTPS reverse proxy (Caddy, nginx) in front of nonmerci, then ${fix}.`,
    );
  if (isLoopback(url.hostname))
    throw new InvalidInputError(
      `${from} is ${url.origin}, an address of this machine only: ${provider} cannot reach it. ${capitalised(fix)}.`,
    );
  if (url.search || url.hash || url.username || url.password)
    throw new InvalidInputError(
      `${from} must be a plain address, without "?", "#" or a user name: ${fix}.`,
    );
  return url.href.replace(/\/+$/, '');
}

/** localhost, 127.0.0.0/8, ::1 and the "any address" wildcards, which no provider can call. */
function isLoopback(hostname: string): boolean {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return host.startsWith('127.') || host === '0.0.0.0';
  if (isIPv6(host)) return host === '::1' || host === '::' || /^::ffff:(127\.|7f)/.test(host);
  return false;
}

const capitalised = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;

/** One credential (or other setting) connect needs, and how to ask for it. */
export interface Wanted {
  name: SettingName;
  /** The question, e.g. "Twilio Account SID (AC…): ". */
  question: string;
  secret?: boolean;
  /** Keep what was written (a file's path), not what it reads as (the file's text). */
  asTyped?: boolean;
}

/**
 * The settings a provider needs: from the settings, else typed by the operator (`where` says where
 * to find them first). Without a terminal, a missing one is an error naming them all.
 */
export async function askSettings(
  io: ConnectIo,
  settings: SettingValues,
  label: string,
  wanted: Wanted[],
  where: string,
): Promise<Partial<Record<SettingName, string>>> {
  const found: Partial<Record<SettingName, string>> = {};
  for (const w of wanted) {
    const value = w.asTyped ? io.env[w.name]?.trim() : settings[w.name];
    if (typeof value === 'string' && value) found[w.name] = value;
  }
  const missing = wanted.filter((w) => found[w.name] === undefined);
  if (missing.length === 0) return found;
  if (!io.interactive) {
    const names = missing.map((w) => w.name);
    const which =
      missing.length === wanted.length && names.length === 2
        ? `neither ${names[0]} nor ${names[1]} is`
        : `${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`} ${names.length === 1 ? 'is' : 'are'} not`;
    throw new InvalidInputError(
      `${label} credentials are needed and ${which} set: set them in the environment or in .env (${where}), or run this command in a terminal to type them.`,
    );
  }
  io.print(`${capitalised(where)}.`);
  for (const w of missing)
    found[w.name] = await askUntilValid(
      io,
      w.question,
      (answer) => {
        if (!answer) throw new InvalidInputError(`This cannot be empty; paste it again.`);
        const parsed: unknown = SETTINGS[w.name].parse(answer);
        return typeof parsed === 'string' && !w.asTyped ? parsed : answer;
      },
      w.secret,
    );
  return found;
}

/** Asks until the answer passes `check` (three tries), which returns the value or throws why not. */
async function askUntilValid<T>(
  io: ConnectIo,
  question: string,
  check: (answer: string) => T,
  secret = false,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = (await io.ask(question, { secret })).trim();
    try {
      return check(answer);
    } catch (error) {
      if (attempt >= 3) throw error;
      io.warn(`  ${(error as Error).message}`);
    }
  }
}

/** A French mobile number (06/07), from which automated traffic is not allowed. */
const FRENCH_MOBILE = /^\+33[67]\d{8}$/;

function listNumbers(numbers: AccountNumber[], current: string | null, out: (l: string) => void) {
  numbers.forEach((n, i) => {
    const notes = [
      n.label && n.label !== n.phoneNumber ? `"${n.label}"` : '',
      n.phoneNumber === current ? '(HOTLINE_NUMBER now)' : '',
      FRENCH_MOBILE.test(n.phoneNumber) ? '(French mobile: not for automated traffic)' : '',
    ].filter(Boolean);
    out(
      `  ${String(i + 1).padStart(2)}. ${n.phoneNumber.padEnd(16)} ${n.abilities.padEnd(16)} ${n.where}${notes.length ? `  ${notes.join(' ')}` : ''}`,
    );
  });
}

/** The number the operator wants, among the account's; null when it must be chosen elsewhere. */
async function chooseNumber<N extends AccountNumber>(
  numbers: N[],
  wanted: string | null,
  current: string | null,
  io: ConnectIo,
  flow: ProviderFlow<N>,
): Promise<N | null> {
  const find = (e164: string | null) => numbers.find((n) => n.phoneNumber === e164);
  if (wanted) {
    const found = find(wanted);
    if (found) return found;
    throw new InvalidInputError(
      `${wanted} is not a number of this ${flow.label} account. Its numbers: ${numbers.map((n) => `${n.phoneNumber} (${n.abilities})`).join(', ')}. Pass one of them with --number, or ${flow.buyNumber} first.`,
    );
  }
  const fallback = find(current) ?? (numbers.length === 1 ? numbers[0]! : undefined);
  io.print(`Numbers on this ${flow.label} account:`);
  listNumbers(numbers, current, io.print);
  if (!io.interactive) {
    io.warn(
      `Choose the hotline's number with --number, e.g. nonmerci connect ${flow.name} --number ${fallback?.phoneNumber ?? numbers[0]!.phoneNumber}`,
    );
    return null;
  }
  const hint = `1-${numbers.length} or a number${fallback ? `, Enter for ${fallback.phoneNumber}` : ''}`;
  return askUntilValid(io, `Which number should the hotline use? (${hint}): `, (answer) => {
    if (!answer && fallback) return fallback;
    const index = /^\d{1,3}$/.test(answer) ? Number(answer) : NaN;
    const chosen = numbers[index - 1] ?? find(toE164(answer, 'FR'));
    if (!chosen) throw new InvalidInputError(`"${answer}" is none of these; write ${hint}.`);
    return chosen;
  });
}

/** "before → after" for one webhook, or "unchanged"; a method other than POST is shown. */
export function arrow(before: string | null, after: string, beforeMethod: string | null = null) {
  const method = beforeMethod?.toUpperCase() ?? 'POST';
  if (before === after && method === 'POST') return `${after} (unchanged)`;
  return `${before ?? '(none)'}${before && method !== 'POST' ? ` (${method})` : ''} → ${after}`;
}

/** Settings never printed in full: their value is replaced by dots and its last four characters. */
const SECRET_SETTINGS = new Set(
  Object.entries(SETTINGS)
    .filter(([, spec]) => 'secret' in spec && spec.secret)
    .map(([name]) => name),
);

export function maskSecret(value: string): string {
  return `••••••••${value.length >= 16 ? value.slice(-4) : ''}`;
}

/** A .env line as it may be shown: the value of a secret setting masked. */
function shownLine(name: string, line: string): string {
  if (!SECRET_SETTINGS.has(name)) return line.replace(/\n/g, '⏎');
  const eq = line.indexOf('=');
  const value = line.slice(eq + 1).replace(/^['"`]|['"`]$/g, '');
  return eq === -1 || !value.trim() ? line : `${line.slice(0, eq + 1)}${maskSecret(value)}`;
}

function envLine(change: EnvChange): string {
  const after = shownLine(change.name, change.after);
  if (change.kind === 'unchanged') return `  ${after} (unchanged)`;
  if (change.kind === 'added') return `  ${after} (added at the end)`;
  return `  ${shownLine(change.name, change.before ?? '')} → ${after}`;
}

/** Reads ./.env for planning; missing is empty, anything else unreadable stops before any change. */
function readEnvText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new NonmerciError(
      'env_unwritable',
      `${path} cannot be read (${(error as Error).message}); nothing was changed.`,
    );
  }
}

/**
 * Variables set in the shell win over .env (bin/nonmerci.js): a shell value different from what was
 * just written would keep hiding it. Values .env itself provided are told apart by reading it.
 */
function warnShellOverrides(envText: string, values: Record<string, string>, io: ConnectIo) {
  const fromFile = parseEnv(envText.replace(/^\uFEFF/, ''));
  for (const [name, value] of Object.entries(values)) {
    const live = io.env[name];
    if (live !== undefined && live !== fromFile[name] && live !== value)
      io.warn(
        `⚠  ${name} is also set in this shell, to another value, and the shell wins over .env: unset it (unset ${name}) before starting nonmerci.`,
      );
  }
}
