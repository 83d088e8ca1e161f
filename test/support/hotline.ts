import pino from 'pino';
import twilio from 'twilio';
import { DEFAULT_SHIELD, type Config, type DatabaseTarget } from '../../src/config/load.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { MICROS, type Line } from '../../src/domain/types.ts';
import { assemble, type Hotline } from '../../src/main.ts';

export const PUBLIC_URL = 'https://hotline.example.org';
export const LINE = '+33939000001';
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/**
 * A complete configuration for tests. The default line uses the one real provider given in the
 * overrides (as loadConfig infers it from the credentials), else the simulator.
 */
export function testConfig(database: DatabaseTarget, overrides: Partial<Config> = {}): Config {
  const provider = overrides.vonage
    ? 'vonage'
    : overrides.telnyx
      ? 'telnyx'
      : overrides.twilio
        ? 'twilio'
        : 'simulator';
  return {
    port: 0,
    host: '127.0.0.1',
    publicUrl: PUBLIC_URL,
    dataDir: '/nonexistent',
    database,
    secret: TEST_SECRET,
    secretGeneratedAt: null,
    twilio: null,
    telnyx: null,
    vonage: null,
    hotline: { number: LINE, language: 'fr', provider },
    replyDelayMs: 3_600_000,
    replyCooldownMs: 90 * 86_400_000,
    replyExpiryMs: 86_400_000,
    retentionMs: 90 * 86_400_000,
    segmentPriceMicros: 0.16 * MICROS,
    currency: 'EUR',
    budget: { dailyMicros: 5 * MICROS, monthlyMicros: 50 * MICROS },
    timeZone: 'Europe/Paris',
    allowedCountries: ['FR'],
    adminPassword: null,
    metricsToken: null,
    trustProxy: null,
    logLevel: 'silent',
    workerPollMs: 1000,
    workerLeaseMs: 300_000,
    shield: DEFAULT_SHIELD,
    alerts: { webhookUrl: null, smtpUrl: null, emailFrom: null, emailTo: [] },
    ...overrides,
  };
}

/** A hotline as `serve` starts it (its line ensured from the settings), on a manual clock. */
export type TestHotline = Hotline & { clock: ManualClock; defaultLine: Line };

export async function startHotline(
  config: Config,
  clock = new ManualClock(),
): Promise<TestHotline> {
  const hotline = await assemble(config, {
    clock,
    log: pino({ level: 'silent' }),
    lines: 'ensure',
    // Attempts counted over an hour, not a minute: a busy machine may take over a minute to run
    // the attempts a test counts.
    limitWindowMs: 3_600_000,
  });
  const { defaultLine } = hotline;
  if (!defaultLine) throw new Error('serve ensures a line: none was created');
  return Object.assign(hotline, { clock, defaultLine });
}

/** Posts a form to the app through real HTTP, signed like Twilio signs it (official package). */
export async function postSigned(
  baseUrl: string,
  path: string,
  params: Record<string, string>,
  authToken: string,
  options: { signature?: string | null; publicUrl?: string } = {},
): Promise<Response> {
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(
          authToken,
          (options.publicUrl ?? PUBLIC_URL) + path,
          params,
        )
      : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return fetch(baseUrl + path, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
}

let sid = 0;
export function callParams(from: string, to = LINE): Record<string, string> {
  return {
    CallSid: `CA${String(++sid).padStart(32, '0')}`,
    AccountSid: `AC${'0'.repeat(31)}1`,
    From: from,
    To: to,
    CallStatus: 'ringing',
    Direction: 'inbound',
  };
}
export function smsParams(from: string, body: string, to = LINE): Record<string, string> {
  return {
    MessageSid: `SM${String(++sid).padStart(32, '0')}`,
    AccountSid: `AC${'0'.repeat(31)}1`,
    From: from,
    To: to,
    Body: body,
    NumSegments: '1',
  };
}
