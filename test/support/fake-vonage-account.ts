import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeAccountApi, type FakeAnswer, type RecordedRequest } from './fake-account-api.ts';

/**
 * A stand-in for Vonage's Numbers API (GET /account/numbers, POST /number/update: api_key and
 * api_secret in the query or the form) and Application API v2 (GET and PUT /v2/applications/{id},
 * basic auth), both on one loopback address as VONAGE_API_URL. Like the real API, PUT replaces the
 * whole application: a client that does not send back what it read loses it. `index` pages through
 * the numbers `size` at a time.
 */
export interface FakeVonageNumber {
  country: string;
  msisdn: string;
  type: string;
  features: string[];
  appId: string | null;
}

export const VONAGE_KEY = 'a1b2c3d4';
export const VONAGE_SECRET = 'fake-vonage-api-secret-0123';
export const VONAGE_SIGNATURE = 'fake-vonage-signature-secret-0123456789';
export const VONAGE_APP = 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab';
export const OTHER_APP = 'ffffffff-bbbb-4ccc-8ddd-0123456789ab';

const fail = (status: number, label: string): FakeAnswer => ({
  status,
  body: { 'error-code': String(status), 'error-code-label': label },
});
const problem = (status: number, title: string, detail: string): FakeAnswer => ({
  status,
  body: { type: 'https://developer.vonage.com/api-errors', title, detail },
});

export class FakeVonageAccount extends FakeAccountApi {
  apiKey = VONAGE_KEY;
  apiSecret = VONAGE_SECRET;
  pageSize = 100;
  numbers: FakeVonageNumber[] = [];
  /** Applications, as Vonage stores them (JSON). */
  apps = new Map<string, Record<string, unknown>>();

  /**
   * The usual account: the hotline's application (voice answer URL on a demo page with GET, a
   * fallback answer URL and an RTC capability that must survive an update), another application,
   * +33939000000 (voice and SMS, not linked), +33939000001 (voice only), +33939000002 (linked to
   * the hotline's application).
   */
  seed(): this {
    this.requests.length = 0;
    this.apps = new Map([
      [
        VONAGE_APP,
        {
          id: VONAGE_APP,
          name: 'hotline',
          keys: { public_key: '-----BEGIN PUBLIC KEY-----\nMIIB…\n-----END PUBLIC KEY-----\n' },
          capabilities: {
            voice: {
              webhooks: {
                answer_url: { address: 'https://example.com/answer', http_method: 'GET' },
                fallback_answer_url: {
                  address: 'https://example.com/fallback',
                  http_method: 'GET',
                },
              },
            },
            rtc: {
              webhooks: { event_url: { address: 'https://example.com/rtc', http_method: 'POST' } },
            },
          },
          privacy: { improve_ai: false },
        },
      ],
      [OTHER_APP, { id: OTHER_APP, name: 'other', capabilities: {} }],
    ]);
    this.numbers = [
      {
        country: 'FR',
        msisdn: '33939000000',
        type: 'landline',
        features: ['VOICE', 'SMS'],
        appId: null,
      },
      { country: 'FR', msisdn: '33939000001', type: 'landline', features: ['VOICE'], appId: null },
      {
        country: 'FR',
        msisdn: '33939000002',
        type: 'landline',
        features: ['VOICE', 'SMS'],
        appId: VONAGE_APP,
      },
    ];
    return this;
  }

  number(msisdn: string): FakeVonageNumber | undefined {
    return this.numbers.find((n) => n.msisdn === msisdn.replace(/^\+/, ''));
  }

  protected handle(request: RecordedRequest, url: URL): FakeAnswer {
    const path = url.pathname;
    if (path === '/account/numbers' || path === '/number/update') {
      const params =
        request.method === 'POST' ? new URLSearchParams(request.body) : url.searchParams;
      if (params.get('api_key') !== this.apiKey || params.get('api_secret') !== this.apiSecret)
        return fail(401, 'authentication failed');
      return request.method === 'POST' ? this.#update(params) : this.#list(params);
    }
    const app = /^\/v2\/applications\/([^/]+)$/.exec(path);
    if (!app) return problem(404, 'Not found', 'No such endpoint.');
    const basic = `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}`;
    if (request.authorization !== basic)
      return problem(401, 'Unauthorized', 'You did not provide correct credentials.');
    const stored = this.apps.get(app[1]!);
    if (!stored) return problem(404, 'Not found', `Application ${app[1]} does not exist.`);
    if (request.method === 'GET') return { status: 200, body: stored };
    if (request.method !== 'PUT') return problem(405, 'Method not allowed', '');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    if (typeof body.name !== 'string' || !body.name)
      return problem(422, 'Invalid parameters', 'name is required.');
    // PUT replaces the application: what is not sent is gone (the keys are kept, as Vonage does).
    const replaced = { ...body, id: stored.id, keys: body.keys ?? stored.keys };
    this.apps.set(app[1]!, replaced);
    return { status: 200, body: replaced };
  }

  #list(params: URLSearchParams): FakeAnswer {
    const size = Math.min(Number(params.get('size') ?? 10), this.pageSize);
    const index = Number(params.get('index') ?? 1);
    const slice = this.numbers.slice((index - 1) * size, index * size);
    return {
      status: 200,
      body: {
        count: this.numbers.length,
        ...(this.numbers.length > 0 && {
          numbers: slice.map((n) => ({
            country: n.country,
            msisdn: n.msisdn,
            type: n.type,
            features: n.features,
            ...(n.appId && {
              app_id: n.appId,
              voiceCallbackType: 'app',
              messagesCallbackType: 'app',
            }),
          })),
        }),
      },
    };
  }

  #update(params: URLSearchParams): FakeAnswer {
    const number = this.numbers.find(
      (n) => n.msisdn === params.get('msisdn') && n.country === params.get('country'),
    );
    if (!number) return fail(420, 'Invalid parameters');
    const appId = params.get('app_id');
    if (appId && !this.apps.has(appId)) return fail(420, 'Invalid parameters');
    number.appId = appId;
    return { status: 200, body: { 'error-code': '200', 'error-code-label': 'success' } };
  }
}

/**
 * A Vonage application's private.key file, as the dashboard hands it out: a fresh RSA key written
 * once per test process, for the settings that name it by its path.
 */
export const VONAGE_PRIVATE_KEY_FILE = join(tmpdir(), `nonmerci-test-vonage-${process.pid}.key`);
writeFileSync(
  VONAGE_PRIVATE_KEY_FILE,
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
  { mode: 0o600 },
);
process.once('exit', () => rmSync(VONAGE_PRIVATE_KEY_FILE, { force: true }));
