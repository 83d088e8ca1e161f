import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isProviderName, PROVIDER_NAMES } from '../telephony/endpoints.ts';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { parseDuration } from '../domain/duration.ts';
import { LANGUAGES, MICROS, type Language } from '../domain/types.ts';
import { assertTimeZone } from '../policy/budget-periods.ts';
import { classifyNumber, toE164 } from '../domain/phone.ts';

/**
 * Every setting nonmerci reads, with its help text and default in one place. Each parser returns
 * the typed value or throws a message telling the operator what to write instead.
 */
interface Setting<T> {
  help: string;
  default?: string;
  /** Shown instead of the value in `--help` and logs. */
  secret?: boolean;
  parse(value: string): T;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

const duration = (example: string) => (value: string) => {
  const ms = parseDuration(value);
  if (ms === null)
    throw new Error(`"${value}" is not a duration; write a number with a unit, e.g. ${example}`);
  return ms;
};

/** A duration of at least `min` (and at most `max`), the reason for the bound said when refused. */
const boundedDuration =
  (example: string, min: number, max: number, why: string) => (value: string) => {
    const ms = duration(example)(value);
    if (ms < min || ms > max) throw new Error(`"${value}" ${why}; write e.g. ${example}`);
    return ms;
  };

const money = (value: string) => {
  if (value.trim().startsWith('-'))
    throw new Error(`"${value}" is negative; write an amount above zero, like 0.16 or 25`);
  const n = Number(value.replace(',', '.'));
  if (!/^\d+([.,]\d+)?$/.test(value.trim()) || !Number.isFinite(n)) {
    throw new Error(`"${value}" is not an amount; write it like 0.16 or 25`);
  }
  return Math.round(n * MICROS);
};

/**
 * An amount above zero. Zero is refused rather than read as "no limit" or "nothing": a free reply
 * would never count against a cap, and a cap of zero would silently stop every reply. The upper
 * bound is the dashboard's (hotline/tariff.ts), so a tariff from the settings can be saved back.
 */
const positiveMoney =
  (max: number, ifZero: (value: string) => string) =>
  (value: string): number => {
    const micros = money(value);
    if (micros <= 0) throw new Error(ifZero(value));
    if (micros > max * MICROS)
      throw new Error(`"${value}" is above ${max}, the most nonmerci accepts; check the amount`);
    return micros;
  };

/** What `listen()` accepts and `http://HOST:PORT` can say: an IP address or a host name. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

const listenAddress = (value: string) => {
  // A name made of digits and dots only (999.1.1.1) is a mistyped IPv4 address, not a host name;
  // the default PUBLIC_URL is built from HOST, so it must also make a URL (no IPv6 zone, fe80::1%eth0).
  const named = HOST_NAME.test(value) && !/^[\d.]+$/.test(value);
  if ((isIP(value) || named) && URL.canParse(`http://${isIP(value) === 6 ? `[${value}]` : value}/`))
    return value;
  throw new Error(
    `"${value}" is not an address to listen on; write 127.0.0.1 (private, behind a reverse proxy), 0.0.0.0 (every interface), :: or a host name of this machine`,
  );
};

const integer = (min: number, max: number) => (value: string) => {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`"${value}" must be a whole number from ${min} to ${max}`);
  return n;
};

const url = (value: string) => {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return value.replace(/\/+$/, '');
  } catch {
    throw new Error(`"${value}" is not an http(s) URL, e.g. https://hotline.example.org`);
  }
};

/**
 * A PEM private key, given as its text (line breaks may be written \n, as in a .env file) or as
 * the path of the file that holds it.
 */
function privateKeyPem(value: string): string {
  // A quoted value (as `docker --env-file` keeps it) is read without its quotes.
  let pem = value.trim().replace(/^(["'])([\s\S]*)\1$/, '$2');
  if (!pem.includes('-----BEGIN')) {
    try {
      pem = readFileSync(pem, 'utf8').trim();
    } catch {
      // Never quote the value: it may be the key itself, slightly mangled.
      throw new Error(
        "is neither a private key's text nor the path of a readable file; give the path of the private.key file Vonage gave you, or paste its text",
      );
    }
  }
  pem = pem.replaceAll('\\n', '\n');
  try {
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error();
  } catch {
    throw new Error(
      'is not an RSA private key in PEM form ("-----BEGIN PRIVATE KEY-----"…); use the private.key file of your Vonage application',
    );
  }
  return pem;
}

/** Names proxy-addr (Fastify's trustProxy) understands for groups of addresses. */
const PROXY_GROUPS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: the addresses whose forwarding headers are believed. "true" is refused: trusting
 * every address would let anyone on the Internet pick the address the limits see.
 */
function trustedProxies(value: string): string[] | null {
  const v = value.trim().toLowerCase();
  if (['', 'false', 'off', 'no', '0'].includes(v)) return null;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((item) => {
    if (PROXY_GROUPS.includes(item) || isIP(item)) return false;
    const [address, bits, ...rest] = item.split('/');
    const family = isIP(address ?? '');
    const n = /^\d{1,3}$/.test(bits ?? '') ? Number(bits) : -1;
    return rest.length > 0 || !family || n < 0 || n > (family === 4 ? 32 : 128);
  });
  if (['true', 'yes', 'on', '1', '*'].includes(v) || bad.length > 0)
    throw new Error(
      `${bad.length ? `"${bad.join('", "')}" is not an address or range` : `"${value}" would trust every address`}; write loopback when the reverse proxy runs on this machine, or its address (e.g. 10.0.0.2 or 10.0.0.0/24)`,
    );
  return [...new Set(items)];
}

export const SETTINGS = {
  PORT: setting({
    help: 'TCP port the server listens on.',
    default: '3000',
    parse: integer(0, 65535),
  }),
  HOST: setting({
    help: 'Address to listen on. 127.0.0.1 keeps the server private (put a reverse proxy in front); 0.0.0.0 exposes it.',
    default: '127.0.0.1',
    parse: listenAddress,
  }),
  PUBLIC_URL: setting({
    help: 'Base URL the telephony provider calls, e.g. https://hotline.example.org. Webhook signatures are checked against it. Defaults to http://HOST:PORT.',
    parse: url,
  }),
  DATABASE_URL: setting({
    help: 'Unset: SQLite in the data folder. sqlite://PATH for another SQLite file; postgres://user@host/db for PostgreSQL (needed to run several processes).',
    parse: (v) => v,
  }),
  NONMERCI_DATA_DIR: setting({
    help: 'Folder for the SQLite database and the generated secret.',
    default: './data',
    parse: (v) => v,
  }),
  NONMERCI_SECRET: setting({
    help: 'Master secret (32+ characters) from which the keys that encrypt phone numbers are derived. If unset, one is generated and kept in the data folder. Losing it makes stored numbers unreadable.',
    secret: true,
    parse: (v) => {
      if (v.length < 32)
        throw new Error(
          'must be at least 32 characters; generate one with: openssl rand -base64 48',
        );
      return v;
    },
  }),
  TWILIO_ACCOUNT_SID: setting({
    help: 'Twilio account SID (starts with AC). With TWILIO_AUTH_TOKEN, lines use Twilio instead of the simulator.',
    parse: (v) => {
      if (!/^AC[0-9a-fA-F]{32}$/.test(v))
        throw new Error(
          'a Twilio account SID is "AC" followed by 32 hexadecimal characters; copy it from the Twilio console',
        );
      return v;
    },
  }),
  TWILIO_AUTH_TOKEN: setting({
    help: 'Twilio auth token; signs webhooks and authenticates API calls.',
    secret: true,
    parse: (v) => v,
  }),
  TWILIO_API_URL: setting({
    help: 'Twilio REST API base URL (a regional endpoint, or a test double).',
    default: 'https://api.twilio.com',
    parse: url,
  }),
  TELNYX_API_KEY: setting({
    help: 'Telnyx API key (starts with KEY); sends the replies. With TELNYX_PUBLIC_KEY, lines can use Telnyx.',
    secret: true,
    parse: (v) => {
      if (!/^KEY[0-9A-Za-z_-]{10,}$/.test(v))
        throw new Error(
          'a Telnyx API key starts with "KEY"; create one in the Telnyx portal under "API Keys"',
        );
      return v;
    },
  }),
  TELNYX_PUBLIC_KEY: setting({
    help: 'Telnyx webhook public key (base64, from the portal\'s "Keys & Credentials" page); checks the Ed25519 signature of every Telnyx webhook.',
    parse: (v) => {
      if (!/^[A-Za-z0-9+/]{43}=$/.test(v) || Buffer.from(v, 'base64').length !== 32)
        throw new Error(
          'a Telnyx public key is 44 base64 characters ending with "="; copy it from the Telnyx portal, "Keys & Credentials" > "Public Key"',
        );
      return v;
    },
  }),
  TELNYX_API_URL: setting({
    help: 'Telnyx API base URL (a test double, or a proxy).',
    default: 'https://api.telnyx.com',
    parse: url,
  }),
  VONAGE_APPLICATION_ID: setting({
    help: 'Vonage application id (a UUID). With VONAGE_PRIVATE_KEY, replies are sent with a JWT of that application.',
    parse: (v) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v))
        throw new Error(
          'a Vonage application id is a UUID like aaaaaaaa-bbbb-cccc-dddd-0123456789ab; copy it from the dashboard, "Applications"',
        );
      return v.toLowerCase();
    },
  }),
  VONAGE_PRIVATE_KEY: setting({
    help: "The Vonage application's private key: the path of the private.key file it gave you, or the PEM text itself.",
    secret: true,
    parse: privateKeyPem,
  }),
  VONAGE_API_KEY: setting({
    help: 'Vonage API key (account settings). Without an application, replies are sent with it and VONAGE_API_SECRET.',
    parse: (v) => {
      if (!/^[0-9a-zA-Z]{6,16}$/.test(v))
        throw new Error(
          'a Vonage API key is a short code of letters and digits, e.g. a1b2c3d4; copy it from the dashboard, "API settings"',
        );
      return v;
    },
  }),
  VONAGE_API_SECRET: setting({
    help: 'Vonage API secret (account settings).',
    secret: true,
    parse: (v) => v,
  }),
  VONAGE_SIGNATURE_SECRET: setting({
    help: 'Vonage signature secret (dashboard, "API settings" > "Signed webhooks"): checks the signed JWT of every Vonage webhook.',
    secret: true,
    parse: (v) => {
      if (v.length < 16)
        throw new Error(
          'this is too short to be a Vonage signature secret; copy it from the dashboard, "API settings" > "Signed webhooks"',
        );
      return v;
    },
  }),
  VONAGE_API_URL: setting({
    help: 'Vonage Messages API base URL (https://api.nexmo.com, a regional endpoint, or a test double).',
    default: 'https://api.nexmo.com',
    parse: url,
  }),
  HOTLINE_PROVIDER: setting({
    help: 'Provider of the default line: twilio, telnyx, vonage or simulator. Unset: the provider whose credentials are set, else the simulator.',
    parse: (v) => {
      const name = v.trim().toLowerCase();
      if (!isProviderName(name))
        throw new Error(
          `"${v}" is not a provider nonmerci knows; write ${PROVIDER_NAMES.join(', ')}`,
        );
      return name;
    },
  }),
  HOTLINE_NUMBER: setting({
    help: 'Number of the default line, created or updated at start (E.164, e.g. +33939000000). Unset: a demo line on the simulator.',
    parse: (v) => {
      const n = toE164(v, 'FR');
      if (!n || classifyNumber(n).type === 'invalid') {
        throw new Error(
          `"${v}" is not a phone number; write it in international format, e.g. +33939000000`,
        );
      }
      return n;
    },
  }),
  HOTLINE_LANGUAGE: setting<Language>({
    help: 'Language of the default line: fr or en.',
    default: 'fr',
    parse: (v) => {
      if (!(LANGUAGES as readonly string[]).includes(v))
        throw new Error(`"${v}" is not supported; use ${LANGUAGES.join(' or ')}`);
      return v as Language;
    },
  }),
  REPLY_DELAY: setting({
    help: 'Delay before the consent SMS is decided and sent. The demo line uses 20s unless this is set.',
    default: '1h',
    parse: duration('1h or 90s'),
  }),
  REPLY_COOLDOWN: setting({
    help: 'A caller gets at most one reply per line within this period.',
    default: '90d',
    // Zero would answer every call of the same man: one reply per sender is the hotline's promise.
    parse: boundedDuration(
      '90d',
      3_600_000,
      Number.MAX_SAFE_INTEGER,
      'is too short: a caller could get a reply each time he calls back; keep at least 1h',
    ),
  }),
  REPLY_EXPIRY: setting({
    help: 'A reply still unsent this long after it fell due (budget exhausted, line paused) is dropped with reason "expired".',
    default: '24h',
    parse: boundedDuration(
      '24h',
      60_000,
      Number.MAX_SAFE_INTEGER,
      'is too short: a reply held by a brief pause would be dropped; keep at least 1m',
    ),
  }),
  RETENTION: setting({
    help: 'Contacts and texts of ordinary callers are erased after this; evidence (hostile callers, contacts marked as evidence, periods held or exported) is kept until an admin releases it. At least 1 day.',
    default: '90d',
    parse: (v) => {
      const ms = duration('90d or 26w')(v);
      if (ms < 86_400_000)
        throw new Error(`"${v}" is too short; keep records at least 1 day, e.g. 90d`);
      return ms;
    },
  }),
  SMS_SEGMENT_PRICE: setting({
    help: 'Price of one SMS segment: reserved before each send and counted as its cost when the provider reports no price. Set it at or above what the provider charges.',
    default: '0.16',
    parse: positiveMoney(
      10,
      (v) =>
        `"${v}" would make every reply free, so no cap would ever stop one; write what your provider charges per segment, e.g. 0.16`,
    ),
  }),
  CURRENCY: setting({
    help: 'Currency of prices and caps (ISO 4217).',
    default: 'EUR',
    parse: (v) => {
      if (!/^[A-Z]{3}$/.test(v))
        throw new Error(`"${v}" is not a currency code; write three capital letters, e.g. EUR`);
      return v;
    },
  }),
  BUDGET_DAILY: setting({
    help: 'Hard cap on SMS spend per calendar day (above 0, at most BUDGET_MONTHLY).',
    default: '5',
    parse: positiveMoney(
      1_000_000,
      (v) =>
        `"${v}" is not a cap; write the most that may be spent in a day, e.g. 5 (to stop sending, run "nonmerci pause")`,
    ),
  }),
  BUDGET_MONTHLY: setting({
    help: 'Hard cap on SMS spend per calendar month (above 0).',
    default: '50',
    parse: positiveMoney(
      1_000_000,
      (v) =>
        `"${v}" is not a cap; write the most that may be spent in a month, e.g. 50 (to stop sending, run "nonmerci pause")`,
    ),
  }),
  TIMEZONE: setting({
    help: 'Time zone of budget days and months.',
    default: 'Europe/Paris',
    parse: (v) => {
      try {
        assertTimeZone(v);
      } catch {
        throw new Error(`"${v}" is not a time zone; use a name like Europe/Paris`);
      }
      return v;
    },
  }),
  ALLOWED_COUNTRIES: setting({
    help: 'Countries whose mobile numbers may receive replies (ISO codes, comma separated).',
    default: 'FR',
    parse: (v) => {
      const list = v
        .split(',')
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean);
      if (list.length === 0 || list.some((c) => !/^[A-Z]{2}$/.test(c))) {
        throw new Error(`"${v}" must be two-letter country codes separated by commas, e.g. FR,BE`);
      }
      const unknown = list.filter((c) => !isSupportedCountry(c));
      if (unknown.length > 0)
        throw new Error(
          `${unknown.map((c) => `"${c}"`).join(', ')} ${unknown.length === 1 ? 'is not a country' : 'are not countries'} whose numbers nonmerci knows; write ISO 3166 codes, e.g. FR,BE`,
        );
      return list;
    },
  }),
  ADMIN_PASSWORD: setting({
    help: 'Initial password of the "admin" user of the dashboard.',
    secret: true,
    parse: (v) => v,
  }),
  METRICS_TOKEN: setting({
    help: 'Bearer token that lets a remote Prometheus read /metrics (loopback needs none).',
    secret: true,
    parse: (v) => {
      if (v.length < 16)
        throw new Error('must be at least 16 characters; generate one with: openssl rand -hex 24');
      return v;
    },
  }),
  TRUST_PROXY: setting({
    help: 'Reverse proxies whose X-Forwarded-For / -Host / -Proto headers are believed: loopback (a proxy on this machine), or a comma-separated list of addresses and ranges (10.0.0.2, 172.16.0.0/12). Unset: the headers are ignored, and behind a proxy every visitor shares its address for sign-in limits and the audit log.',
    parse: trustedProxies,
  }),
  LOG_LEVEL: setting({
    help: 'fatal, error, warn, info, debug or trace.',
    default: 'info',
    parse: (v) => {
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v))
        throw new Error(`"${v}" is not a log level; use info, warn or debug`);
      return v;
    },
  }),
  WORKER_POLL: setting({
    help: 'How often the worker looks for due replies.',
    default: '1s',
    parse: boundedDuration(
      '1s',
      10,
      60_000,
      'is outside 10ms to 1m: shorter keeps the database busy for nothing, longer delays replies',
    ),
  }),
  WORKER_LEASE: setting({
    help: 'A reply claimed by a worker that stops (crash, kill, lost machine) is taken over by another worker after this long. Keep it well above the time one batch of sends takes.',
    default: '5m',
    parse: boundedDuration(
      '5m',
      1000,
      86_400_000,
      'is outside 1s to 1d: shorter makes workers take over each other’s replies, longer leaves a crashed worker’s replies waiting',
    ),
  }),
  SHIELD_SURGE_CONTACTS: setting({
    help: 'Shield: contacts in one minute on a line that count as a surge, at least (the rolling baseline times SHIELD_SURGE_FACTOR may raise it).',
    default: '20',
    parse: integer(1, 1_000_000),
  }),
  SHIELD_SURGE_NEW_CALLERS: setting({
    help: 'Shield: numbers never seen before, in one minute on a line, that count as a surge, at least.',
    default: '10',
    parse: integer(1, 1_000_000),
  }),
  SHIELD_SURGE_FACTOR: setting({
    help: 'Shield: a minute is a surge when it has this many times the usual traffic (rolling average over SHIELD_BASELINE, shield periods left out).',
    default: '5',
    parse: integer(2, 1000),
  }),
  SHIELD_BASELINE: setting({
    help: 'Shield: period over which the usual traffic of a line is averaged.',
    default: '24h',
    parse: duration('24h'),
  }),
  SHIELD_QUIET: setting({
    help: 'Shield: the shield switches off after this long without a surge.',
    default: '15m',
    parse: duration('15m'),
  }),
  SHIELD_SLOW_WINDOW: setting({
    help: 'Shield, slow raids: the window over which hostile newcomers are counted (first-time callers who insult, threaten, harass or spam, or who came back three times or more). A raid that paces itself stays under any per-minute threshold; over this window it shows.',
    default: '30m',
    parse: (v) => {
      const ms = duration('30m')(v);
      if (ms < 60_000 || ms > 86_400_000)
        throw new Error(`"${v}" must be from 1m to 24h, e.g. 30m`);
      return ms;
    },
  }),
  SHIELD_SLOW_NEWCOMERS: setting({
    help: 'Shield, slow raids: hostile newcomers within SHIELD_SLOW_WINDOW that switch the shield on, at least (SHIELD_SURGE_FACTOR times their usual number may raise it). A calm day of angry men brings two or three an hour.',
    default: '8',
    parse: integer(2, 1_000_000),
  }),
  SHIELD_PACING_FLOOR: setting({
    help: "Shield, pacing: while the shield is on, enough of the day's cap is kept for the ordinary callers still expected until midnight: as many per hour as the line usually gets outside raids, and never fewer than this.",
    default: '2',
    parse: integer(0, 10_000),
  }),
  SHIELD_REPEAT_LIMIT: setting({
    help: 'Under pressure (shield on during the delay): a caller who comes back this many times after the contact that scheduled the reply, before it is sent, is treated as hostile and gets no SMS. On a calm line coming back never costs a caller his reply.',
    default: '3',
    parse: integer(1, 1000),
  }),
  ALERT_WEBHOOK_URL: setting({
    help: 'Incoming-webhook address of a Slack, Mattermost or Discord channel that receives alerts (shield on/off, budget at 50/80/100 %, provider errors). Keep it secret: anyone holding it can post to the channel.',
    secret: true,
    parse: url,
  }),
  SMTP_URL: setting({
    help: 'Mail server for e-mail alerts: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465; write special characters of the password URL-encoded (@ → %40). Needs ALERT_EMAIL_TO.',
    secret: true,
    parse: (v) => {
      if (!/^smtps?:\/\/[^/]+/.test(v))
        throw new Error(
          `"${v}" is not an SMTP URL; write smtp://user:password@host:587 or smtps://…:465`,
        );
      return v;
    },
  }),
  ALERT_EMAIL_FROM: setting({
    help: 'Sender address of alert e-mails. Defaults to the SMTP user when it is an e-mail address; many providers only accept their own account as sender.',
    parse: (v) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(v)) throw new Error(`"${v}" is not an e-mail address`);
      return v;
    },
  }),
  ALERT_EMAIL_TO: setting({
    help: 'Who receives alert e-mails: addresses separated by commas, e.g. ana@example.org,bo@example.org. Needs SMTP_URL.',
    parse: (v) => {
      const list = v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      const bad = list.find((a) => !/^[^\s@]+@[^\s@]+$/.test(a));
      if (list.length === 0 || bad) throw new Error(`"${bad ?? v}" is not an e-mail address`);
      return list;
    },
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValues = {
  [K in SettingName]: ReturnType<(typeof SETTINGS)[K]['parse']> | undefined;
};
