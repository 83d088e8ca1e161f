import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';
import type { Config } from '../../src/config/load.ts';
import { FakeTelnyx, FakeVonage } from '../support/fake-messaging.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { PUBLIC_URL } from '../support/hotline.ts';

/**
 * The provider test kit: each provider is a folder of sample payloads (test/providers/<name>/, a
 * file per case) and one driver here, which knows three things only: how the provider signs a
 * webhook, how its fake API is configured, and what the fake recorded. kit.test.ts runs every
 * driver through the same cases. Adding a provider is a folder and a row of DRIVERS.
 */

/** One sample: a webhook as the provider sends it, or an answer of its send API. */
export interface KitCase {
  about: string;
  endpoint?: string;
  method?: 'GET' | 'POST';
  form?: Record<string, string>;
  json?: unknown;
  query?: Record<string, string>;
  /** An answer of the send API (send-* cases). */
  reply?: { status: number; body: unknown };
  expect?: {
    kind?: 'call' | 'text';
    body?: string;
    status?: string;
    price?: string;
    currency?: string;
    errorCode?: string;
    ignored?: boolean;
  };
}

export type Signing = 'good' | 'bad' | 'missing' | 'stale';

export interface KitRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A message the fake API accepted, in our terms. */
export interface FakeSent {
  id: string;
  to: string;
  from: string;
  text: string;
  /** Path and query (under PUBLIC_URL) its delivery reports are sent to. */
  reportPath: string;
}

export interface ProviderDriver {
  name: 'twilio' | 'telnyx' | 'vonage';
  /** Its signatures carry a time, so an old one can be refused. */
  signatureHasAge: boolean;
  /** A send with an unknown outcome can be looked up at the provider (else: wait for its report). */
  canLookUpSends: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  reset(): void;
  /** The hotline's settings for this provider, pointing at its fake API. */
  settings(): Partial<Config>;
  sent(): FakeSent[];
  /** The next sends' answers: an answer of a send-* case, given before or after the message went out. */
  script(rule: (attempt: number) => { reply: KitCase['reply']; recorded: boolean } | null): void;
  /** Attempts the fake API received. */
  attempts(): number;
  sign(request: KitRequest, how: Signing): Record<string, string>;
  /** A fresh identifier of the provider's kind for an inbound call or text. */
  newSid(): string;
  /** The spoken text of a voice answer, or null when the call is refused. */
  spoken(contentType: string, body: string): string | null;
}

export function loadCases(provider: string): Map<string, KitCase> {
  const dir = join(import.meta.dirname, provider);
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [
        f.replace(/\.json$/, ''),
        JSON.parse(readFileSync(join(dir, f), 'utf8')) as KitCase,
      ]),
  );
}

/** Fills {{name}} placeholders everywhere in a sample. */
function fill<T>(value: T, vars: Record<string, string>): T {
  return JSON.parse(
    JSON.stringify(value).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`the sample needs {{${name}}}`);
      return JSON.stringify(v).slice(1, -1);
    }),
  ) as T;
}

/** The request a provider makes for a webhook case, unsigned. */
export function kitRequest(
  provider: string,
  c: KitCase,
  vars: Record<string, string>,
  path = `/webhooks/${provider}/${c.endpoint}`,
): KitRequest {
  if (c.method === 'GET') {
    const query = new URLSearchParams(fill(c.query ?? {}, vars)).toString();
    return { method: 'GET', path: `${path}?${query}`, headers: {}, body: undefined };
  }
  if (c.form)
    return {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fill(c.form, vars)).toString(),
    };
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fill(c.json, vars)),
  };
}

const pathOf = (url: string | null) => (url ?? '').replace(PUBLIC_URL, '');

type ScriptRule = (attempt: number) => { reply: KitCase['reply']; recorded: boolean } | null;

function attemptsAt(api: { attempts: Map<string, number> }): number {
  return [...api.attempts.values()].reduce((a, b) => a + b, 0);
}

class TwilioDriver implements ProviderDriver {
  readonly name = 'twilio';
  readonly signatureHasAge = false;
  readonly canLookUpSends = true;
  readonly #api = new FakeTwilio();
  async start() {
    await this.#api.start();
  }
  stop() {
    return this.#api.stop();
  }
  reset() {
    this.#api.messages.length = 0;
    this.#api.attempts.clear();
    this.#api.failure = () => null;
    this.#api.failureAfterSending = () => null;
  }
  settings(): Partial<Config> {
    return { twilio: this.#api.settings };
  }
  sent(): FakeSent[] {
    return this.#api.messages.map((m) => ({
      id: m.sid,
      to: m.to,
      from: m.from,
      text: m.body,
      reportPath: pathOf(m.statusCallback),
    }));
  }
  script(rule: ScriptRule) {
    const answer = (recorded: boolean) => (_to: string, attempt: number) => {
      const r = rule(attempt);
      if (!r || r.recorded !== recorded) return null;
      const body = r.reply!.body as { code: number; message: string };
      return { status: r.reply!.status, code: body.code, message: body.message };
    };
    this.#api.failure = answer(false);
    this.#api.failureAfterSending = answer(true);
  }
  attempts() {
    return attemptsAt(this.#api);
  }
  sign(request: KitRequest, how: Signing): Record<string, string> {
    if (how === 'missing') return {};
    const token = how === 'bad' ? 'not-the-auth-token' : this.#api.authToken;
    const params = Object.fromEntries(new URLSearchParams(request.body ?? ''));
    return {
      'x-twilio-signature': twilio.getExpectedTwilioSignature(
        token,
        PUBLIC_URL + request.path,
        params,
      ),
    };
  }
  newSid() {
    return `SM${randomUUID().replaceAll('-', '')}`;
  }
  spoken(_type: string, body: string) {
    return /<Say[^>]*>([^<]*)<\/Say>/.exec(body)?.[1] ?? null;
  }
}

/** What the Telnyx and Vonage drivers share: a JSON API fake (fake-messaging.ts) on loopback. */
abstract class JsonApiDriver<A extends FakeTelnyx | FakeVonage> {
  protected readonly api: A;
  constructor(api: A) {
    this.api = api;
  }
  async start() {
    await this.api.start();
  }
  stop() {
    return this.api.stop();
  }
  reset() {
    this.api.reset();
  }
  /** Scripts the fake's answers from send-* samples. */
  script(rule: ScriptRule) {
    this.api.failure = (_to, attempt) => {
      const r = rule(attempt);
      return r ? { ...r.reply!, recorded: r.recorded } : null;
    };
  }
  attempts() {
    return attemptsAt(this.api);
  }
}

class TelnyxDriver extends JsonApiDriver<FakeTelnyx> implements ProviderDriver {
  readonly name = 'telnyx';
  readonly signatureHasAge = true;
  readonly canLookUpSends = false;
  readonly #keys = generateKeyPairSync('ed25519');
  readonly #other = generateKeyPairSync('ed25519');
  constructor() {
    super(new FakeTelnyx());
  }
  settings(): Partial<Config> {
    // The raw 32 bytes of the public key, in base64, as the Telnyx portal shows it.
    const der = this.#keys.publicKey.export({ format: 'der', type: 'spki' });
    return {
      telnyx: {
        apiKey: this.api.apiKey,
        publicKey: der.subarray(-32).toString('base64'),
        apiUrl: this.api.url,
      },
    };
  }
  sent(): FakeSent[] {
    return this.api.messages.map((m) => ({ ...m, reportPath: pathOf(m.webhookUrl) }));
  }
  sign(request: KitRequest, how: Signing): Record<string, string> {
    if (how === 'missing') return {};
    const now = Math.floor(Date.now() / 1000);
    const timestamp = String(how === 'stale' ? now - 600 : now);
    const key: KeyObject = how === 'bad' ? this.#other.privateKey : this.#keys.privateKey;
    const signature = sign(null, Buffer.from(`${timestamp}|${request.body ?? ''}`), key);
    return {
      'telnyx-signature-ed25519': signature.toString('base64'),
      'telnyx-timestamp': timestamp,
    };
  }
  newSid() {
    return randomUUID();
  }
  spoken(_type: string, body: string) {
    return /<Say[^>]*>([^<]*)<\/Say>/.exec(body)?.[1] ?? null;
  }
}

class VonageDriver extends JsonApiDriver<FakeVonage> implements ProviderDriver {
  readonly name = 'vonage';
  readonly signatureHasAge = true;
  readonly canLookUpSends = false;
  constructor() {
    super(
      new FakeVonage(
        generateKeyPairSync('rsa', {
          modulusLength: 2048,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        }),
      ),
    );
  }
  settings(): Partial<Config> {
    return {
      vonage: {
        application: { id: this.api.applicationId, privateKey: this.api.privateKey },
        account: null,
        signatureSecret: this.api.signatureSecret,
        apiUrl: this.api.url,
      },
    };
  }
  sent(): FakeSent[] {
    return this.api.messages.map((m) => ({
      ...m,
      to: `+${m.to}`,
      from: `+${m.from}`,
      reportPath: pathOf(m.webhookUrl),
    }));
  }
  /** Vonage's signed webhooks: a JWT (HS256, the signature secret) naming the body's SHA-256. */
  sign(request: KitRequest, how: Signing): Record<string, string> {
    if (how === 'missing') return {};
    const now = Math.floor(Date.now() / 1000);
    const hashed =
      request.method === 'GET'
        ? JSON.stringify(Object.fromEntries(new URLSearchParams(request.path.split('?')[1])))
        : (request.body ?? '');
    const token = jwt.sign(
      {
        iat: how === 'stale' ? now - 600 : now,
        jti: randomUUID(),
        iss: 'Vonage',
        payload_hash: createHash('sha256').update(hashed).digest('hex'),
        api_key: this.api.apiKey,
        application_id: this.api.applicationId,
      },
      how === 'bad' ? 'not-the-signature-secret-at-all' : this.api.signatureSecret,
      { algorithm: 'HS256' },
    );
    return { authorization: `Bearer ${token}` };
  }
  newSid() {
    return randomUUID();
  }
  spoken(_type: string, body: string) {
    const ncco = JSON.parse(body) as { action: string; text?: string }[];
    return ncco.find((a) => a.action === 'talk')?.text ?? null;
  }
}

/** The kit's table: one row per provider. */
export const DRIVERS: (() => ProviderDriver)[] = [
  () => new TwilioDriver(),
  () => new TelnyxDriver(),
  () => new VonageDriver(),
];
