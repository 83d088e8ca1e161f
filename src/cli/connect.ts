import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseEnv } from 'node:util';
import { planEnvUpdate, writeEnvFile, type EnvChange } from '../config/env-file.ts';
import { readSettings } from '../config/load.ts';
import { SETTINGS } from '../config/schema.ts';
import { InvalidInputError, NonmerciError } from '../domain/errors.ts';
import { toE164 } from '../domain/phone.ts';
import { TwilioAccount, type TwilioNumber } from '../telephony/twilio/account.ts';

/**
 * `nonmerci connect <provider>`: checks the provider credentials, points one of the account's
 * numbers at this hotline's webhooks, and writes the settings to ./.env, so that going live is one
 * command instead of a visit to the provider's console and a hand-edited file.
 */
export interface ConnectOptions {
  /** --number, in any usual spelling; null to choose from the account's numbers. */
  number: string | null;
  /** --public-url; null to use PUBLIC_URL. */
  publicUrl: string | null;
  dryRun: boolean;
}

/** What a connector may use of the outside world (a terminal, or a test's script). */
export interface ConnectIo {
  /** The settings: process.env, with ./.env already read into it by bin/nonmerci.js. */
  env: NodeJS.ProcessEnv;
  /** Folder of the .env file to write (the one the command reads). */
  cwd: string;
  /** True when a person can answer questions (standard input is a terminal). */
  interactive: boolean;
  print: (line: string) => void;
  warn: (line: string) => void;
  ask: (question: string, options?: { secret?: boolean }) => Promise<string>;
  /** Ends the questions (the terminal is given back). */
  close?: () => void;
  fetch?: typeof fetch;
}

/** One telephony provider's way of connecting a number; returns the exit code. */
export interface ProviderConnector {
  readonly name: string;
  readonly description: string;
  connect(options: ConnectOptions, io: ConnectIo): Promise<number>;
}

/** Dispatches on the provider's name; none or an unknown one lists the known ones (exit 2). */
export async function runConnect(
  provider: string | null,
  options: ConnectOptions,
  io: ConnectIo,
  connectors: readonly ProviderConnector[] = CONNECTORS,
): Promise<number> {
  const connector = connectors.find((c) => c.name === provider?.toLowerCase());
  if (connector)
    try {
      return await connector.connect(options, io);
    } finally {
      io.close?.();
    }
  io.warn(
    `${provider ? `nonmerci does not know how to connect "${provider}".` : 'Which provider?'} Write "nonmerci connect" followed by one of:`,
  );
  for (const c of connectors) io.warn(`  ${c.name.padEnd(8)} ${c.description}`);
  return 2;
}

/** The webhook base URL Twilio will call, or an error naming what to set. */
export function webhookBase(raw: string | null, from: 'PUBLIC_URL' | '--public-url'): string {
  const fix =
    'set PUBLIC_URL=https://hotline.example.org (the public address of your HTTPS reverse proxy) in .env, or pass --public-url https://hotline.example.org';
  if (!raw?.trim())
    throw new InvalidInputError(
      `${from === 'PUBLIC_URL' ? 'PUBLIC_URL is not set' : '--public-url is empty'}, and Twilio needs the public HTTPS address at which it reaches this hotline: ${fix}.`,
    );
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidInputError(`${from} "${raw}" is not a URL: ${fix}.`);
  }
  if (url.protocol !== 'https:')
    throw new InvalidInputError(
      `${from} is ${url.origin}, but Twilio must reach the hotline over HTTPS: webhooks carry callers' numbers, and their signatures are checked against this address. Put an HTTPS reverse proxy (Caddy, nginx) in front of nonmerci, then ${fix}.`,
    );
  if (isLoopback(url.hostname))
    throw new InvalidInputError(
      `${from} is ${url.origin}, an address of this machine only: Twilio cannot reach it. ${capitalised(fix)}.`,
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

/** What a number can do, in words. */
function capabilities(n: TwilioNumber): string {
  const { voice, sms } = n.capabilities;
  if (voice && sms) return 'voice and SMS';
  if (voice || sms) return voice ? 'voice only' : 'SMS only';
  return 'no voice, no SMS';
}

/** A French mobile number (06/07), from which automated traffic is not allowed. */
const FRENCH_MOBILE = /^\+33[67]\d{8}$/;

function listNumbers(numbers: TwilioNumber[], current: string | null, out: (l: string) => void) {
  numbers.forEach((n, i) => {
    const notes = [
      n.friendlyName && n.friendlyName !== n.phoneNumber ? `"${n.friendlyName}"` : '',
      n.phoneNumber === current ? '(HOTLINE_NUMBER now)' : '',
      FRENCH_MOBILE.test(n.phoneNumber) ? '(French mobile: not for automated traffic)' : '',
    ].filter(Boolean);
    out(
      `  ${String(i + 1).padStart(2)}. ${n.phoneNumber.padEnd(16)} ${capabilities(n).padEnd(16)} calls go to: ${n.voiceUrl ?? '(nowhere yet)'}${notes.length ? `  ${notes.join(' ')}` : ''}`,
    );
  });
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

/** The account SID and auth token: from the settings, else typed by the operator. */
async function credentials(
  io: ConnectIo,
  settings: { sid: string | undefined; token: string | undefined },
): Promise<{ accountSid: string; authToken: string }> {
  let { sid, token } = settings;
  if ((!sid || !token) && !io.interactive)
    throw new InvalidInputError(
      `Twilio credentials are needed and ${!sid && !token ? 'neither TWILIO_ACCOUNT_SID nor TWILIO_AUTH_TOKEN is' : `${sid ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID'} is not`} set: set them in the environment or in .env (copy them from https://console.twilio.com, "Account info"), or run this command in a terminal to type them.`,
    );
  if (!sid || !token)
    io.print(
      'Your Account SID and Auth token are under "Account info" on https://console.twilio.com.',
    );
  sid ??= await askUntilValid(io, 'Twilio Account SID (AC…): ', (answer) =>
    SETTINGS.TWILIO_ACCOUNT_SID.parse(answer),
  );
  token ??= await askUntilValid(
    io,
    'Twilio Auth token (not shown as you type): ',
    (answer) => {
      if (!answer) throw new InvalidInputError('The auth token cannot be empty; paste it again.');
      return answer;
    },
    true,
  );
  return { accountSid: sid, authToken: token };
}

/** The number the operator wants, among the account's; null when it must be chosen elsewhere. */
async function chooseNumber(
  numbers: TwilioNumber[],
  wanted: string | null,
  current: string | null,
  io: ConnectIo,
): Promise<TwilioNumber | null> {
  const find = (e164: string | null) => numbers.find((n) => n.phoneNumber === e164);
  if (wanted) {
    const found = find(wanted);
    if (found) return found;
    throw new InvalidInputError(
      `${wanted} is not a number of this Twilio account. Its numbers: ${numbers.map((n) => `${n.phoneNumber} (${capabilities(n)})`).join(', ')}. Pass one of them with --number, or buy a 09 number with voice and SMS in the Twilio console first.`,
    );
  }
  const fallback = find(current) ?? (numbers.length === 1 ? numbers[0]! : undefined);
  if (!io.interactive) {
    io.print('Numbers on this Twilio account:');
    listNumbers(numbers, current, io.print);
    io.warn(
      `Choose the hotline's number with --number, e.g. nonmerci connect twilio --number ${fallback?.phoneNumber ?? numbers[0]!.phoneNumber}`,
    );
    return null;
  }
  io.print('Numbers on this Twilio account:');
  listNumbers(numbers, current, io.print);
  const hint = `1-${numbers.length} or a number${fallback ? `, Enter for ${fallback.phoneNumber}` : ''}`;
  return askUntilValid(io, `Which number should the hotline use? (${hint}): `, (answer) => {
    if (!answer && fallback) return fallback;
    const index = /^\d{1,3}$/.test(answer) ? Number(answer) : NaN;
    const chosen = numbers[index - 1] ?? find(toE164(answer, 'FR'));
    if (!chosen) throw new InvalidInputError(`"${answer}" is none of these; write ${hint}.`);
    return chosen;
  });
}

/** Refuses a number that cannot take both calls and texts. */
function checkCapabilities(n: TwilioNumber): void {
  const missing = [
    n.capabilities.voice ? null : 'receive calls (no voice capability)',
    n.capabilities.sms ? null : 'send or receive texts (no SMS capability)',
  ].filter(Boolean);
  if (missing.length)
    throw new NonmerciError(
      'number_unsuitable',
      `${n.phoneNumber} cannot ${missing.join(' nor ')}: the hotline answers calls and texts, and replies by SMS, so its number needs both voice and SMS. Choose another number, or buy a 09 number with voice and SMS in the Twilio console. Nothing was changed.`,
    );
}

/** "before → after" for one webhook, or "unchanged". */
const arrow = (before: string | null, after: string) =>
  before === after ? `${after} (unchanged)` : `${before ?? '(none)'} → ${after}`;

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

export const twilioConnector: ProviderConnector = {
  name: 'twilio',
  description: 'check the credentials, point a number at this hotline, write .env',
  async connect(options, io) {
    // Every setting is checked as at start; a PUBLIC_URL replaced by --public-url need not be valid.
    const fromOption = options.publicUrl !== null;
    const settings = readSettings(fromOption ? { ...io.env, PUBLIC_URL: undefined } : io.env);
    const publicUrl = webhookBase(
      options.publicUrl ?? settings.PUBLIC_URL ?? null,
      fromOption ? '--public-url' : 'PUBLIC_URL',
    );
    const wanted = options.number === null ? null : toE164(options.number, 'FR');
    if (options.number !== null && !wanted)
      throw new InvalidInputError(
        `--number "${options.number}" is not a phone number; write it like +33939000000 or 09 39 00 00 00.`,
      );
    const creds = await credentials(io, {
      sid: settings.TWILIO_ACCOUNT_SID,
      token: settings.TWILIO_AUTH_TOKEN,
    });
    const apiUrl = settings.TWILIO_API_URL ?? 'https://api.twilio.com';
    const account = new TwilioAccount({ ...creds, apiUrl, ...(io.fetch && { fetch: io.fetch }) });
    const info = await account.verify();
    if (info.status === 'suspended' || info.status === 'closed')
      throw new NonmerciError(
        'provider_account',
        `The Twilio account "${info.friendlyName}" (${creds.accountSid}) is ${info.status}: it can neither take calls nor send texts. Reactivate it in the Twilio console, or use another account. Nothing was changed.`,
      );
    io.print(`✓ Twilio accepted the credentials of "${info.friendlyName}" (${creds.accountSid}).`);
    const numbers = await account.numbers();
    if (numbers.length === 0)
      throw new NonmerciError(
        'number_missing',
        `The Twilio account "${info.friendlyName}" has no phone number yet. Buy a 09 number with voice and SMS in the Twilio console (Phone Numbers › Buy a number), then run this again.`,
      );
    const current = settings.HOTLINE_NUMBER ?? null;
    const chosen = await chooseNumber(numbers, wanted, current, io);
    if (!chosen) return 2;
    checkCapabilities(chosen);
    if (FRENCH_MOBILE.test(chosen.phoneNumber))
      io.warn(
        `⚠  ${chosen.phoneNumber} is a French mobile number (06/07): automated traffic is not allowed from French mobile numbers (ARCEP keeps them for person-to-person use, and Twilio's French terms forbid automated calls and texts from them). Use a 09 number for the hotline. Going on, as asked.`,
      );

    const urls = {
      voiceUrl: `${publicUrl}/webhooks/twilio/voice`,
      smsUrl: `${publicUrl}/webhooks/twilio/sms`,
      statusCallback: `${publicUrl}/webhooks/twilio/status`,
    };
    const envPath = resolve(io.cwd, '.env');
    const envText = readEnvText(envPath);
    const values: Record<string, string> = {
      TWILIO_ACCOUNT_SID: creds.accountSid,
      TWILIO_AUTH_TOKEN: creds.authToken,
      HOTLINE_NUMBER: chosen.phoneNumber,
      PUBLIC_URL: publicUrl,
    };
    const plan = planEnvUpdate(envText, values);
    const verb = options.dryRun ? 'Would set' : 'Setting';
    io.print(`${verb} on ${chosen.phoneNumber} at Twilio (all with HTTP POST):`);
    io.print(`  a call comes in:    ${arrow(chosen.voiceUrl, urls.voiceUrl)}`);
    io.print(`  a message comes in: ${arrow(chosen.smsUrl, urls.smsUrl)}`);
    io.print(`  call status:        ${arrow(chosen.statusCallback, urls.statusCallback)}`);
    io.print(`${options.dryRun ? 'Would write' : 'Writing'} in ${envPath} (readable by you only):`);
    for (const change of plan.changes) io.print(envLine(change));
    if (options.dryRun) {
      io.print('Dry run: nothing was changed, at Twilio or in .env.');
      return 0;
    }

    await account.configure(chosen.sid, urls);
    io.print(`✓ ${chosen.phoneNumber} now sends its calls and texts to ${publicUrl}.`);
    try {
      writeEnvFile(envPath, values);
    } catch (error) {
      throw new NonmerciError(
        'env_unwritable',
        `Twilio is set, but ${envPath} could not be written (${(error as Error).message}). Write these lines in it yourself:\n${plan.changes.map((c) => `  ${c.after}`).join('\n')}`,
      );
    }
    io.print(`✓ ${envPath} updated.`);
    warnShellOverrides(envText, values, io);
    io.print(
      'Next: restart nonmerci (npm start) so that it uses these settings, then call and text the number to try it.',
    );
    return 0;
  },
};

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

/** The known connectors, in the order they are listed. */
export const CONNECTORS: readonly ProviderConnector[] = [twilioConnector];

/**
 * Standard input and output; questions need a terminal, and secrets are not echoed. One readline
 * session serves every question, and lines typed or pasted ahead wait for the next question, unseen
 * (the second of two pasted lines may be the auth token).
 */
export function terminalIo(): ConnectIo {
  let echo = false;
  let session: Interface | null = null;
  const ahead: string[] = [];
  let waiting: { answer: (line: string) => void; cancel: () => void } | null = null;
  const open = (): Interface => {
    if (session) return session;
    // Typed characters reach the screen through this stream, only while a plain question waits.
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (echo) process.stdout.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    rl.on('line', (line) => {
      const w = waiting;
      waiting = null;
      if (w) w.answer(line);
      else ahead.push(line);
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      session = null;
      waiting?.cancel();
      waiting = null;
    });
    return (session = rl);
  };
  return {
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY),
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    ask: (question, options = {}) =>
      new Promise<string>((resolvePromise, reject) => {
        const rl = open();
        const typed = ahead.shift();
        if (typed !== undefined) {
          process.stdout.write(`${question}${options.secret ? '' : typed}\n`);
          return resolvePromise(typed);
        }
        waiting = {
          answer: (line) => {
            if (!echo) process.stdout.write('\n');
            echo = false;
            resolvePromise(line);
          },
          cancel: () => {
            process.stdout.write('\n');
            echo = false;
            reject(new NonmerciError('cancelled', 'Cancelled: nothing was changed.'));
          },
        };
        if (options.secret) process.stdout.write(question);
        else {
          echo = true;
          rl.setPrompt(question);
          rl.prompt();
        }
      }),
    close: () => {
      waiting = null;
      session?.close();
    },
  };
}
