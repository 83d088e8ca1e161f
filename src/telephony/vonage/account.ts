import { NonmerciError } from '../../domain/errors.ts';
import { AccountApi } from '../account-api.ts';

/**
 * Client for the parts of Vonage's APIs that connect a number to nonmerci. They need the account's
 * API key and secret (an application's JWT cannot list numbers or change an application), and live
 * on two hosts: the Numbers API on rest.nexmo.com, the Application API on api.nexmo.com.
 * https://developer.vonage.com/en/api/numbers
 * https://developer.vonage.com/en/api/application.v2
 *
 * GET  https://rest.nexmo.com/account/numbers?api_key=…&api_secret=…&size=100&index=1
 * → 200 {"count":1,"numbers":[{"country":"FR","msisdn":"33939000000","type":"landline",
 *        "features":["VOICE","SMS"],"app_id":"aaaaaaaa-bbbb-…"}]}
 * → 401 {"error-code":"401","error-code-label":"authentication failed"}
 * POST https://rest.nexmo.com/number/update  (form) country, msisdn, app_id, api_key, api_secret
 * → 200 {"error-code":"200","error-code-label":"success"}
 * GET  https://api.nexmo.com/v2/applications/{id}  (basic auth api_key:api_secret)
 * → 200 {"id":"…","name":"hotline","keys":{"public_key":"…"},"capabilities":{"voice":{"webhooks":
 *        {"answer_url":{"address":"…","http_method":"GET"},"event_url":{…}}},"messages":{"webhooks":
 *        {"inbound_url":{…},"status_url":{…}},"version":"v1"}}}
 * PUT  https://api.nexmo.com/v2/applications/{id}  the whole application: capabilities are
 *      replaced, not merged, and name is required
 */
export interface VonageNumber {
  country: string;
  /** E.164 with "+", e.g. +33939000000 (Vonage writes it without). */
  phoneNumber: string;
  /** Vonage's msisdn, without "+". */
  msisdn: string;
  type: string;
  voice: boolean;
  sms: boolean;
  /** The application the number is linked to, or null. */
  appId: string | null;
}

/** The webhooks of an application, by nonmerci's endpoint names (answer, event, inbound, status). */
export type VonageWebhooks = Record<
  'answer' | 'event' | 'inbound' | 'status',
  { address: string | null; method: string | null }
>;

export interface VonageApplication {
  id: string;
  name: string;
  webhooks: VonageWebhooks;
  /** The application as Vonage returned it, merged into on update. */
  raw: Record<string, unknown>;
}

export interface VonageAccountOptions {
  apiKey: string;
  apiSecret: string;
  /**
   * VONAGE_API_URL. At Vonage (https://api.nexmo.com, a regional api-*.vonage.com) the Numbers API
   * is asked at https://rest.nexmo.com and the Application API at https://api.nexmo.com; anywhere
   * else (a test double, a proxy) both are asked at this address.
   */
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

/** Where each API lives for this VONAGE_API_URL. */
export function vonageHosts(apiUrl: string): { numbers: string; applications: string } {
  const host = new URL(apiUrl).hostname;
  return /(^|\.)(nexmo|vonage)\.com$/.test(host)
    ? { numbers: 'https://rest.nexmo.com', applications: 'https://api.nexmo.com' }
    : { numbers: apiUrl, applications: apiUrl };
}

const WEBHOOK_PATHS = {
  answer: ['voice', 'answer_url'],
  event: ['voice', 'event_url'],
  inbound: ['messages', 'inbound_url'],
  status: ['messages', 'status_url'],
} as const;

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

export class VonageAccount {
  readonly #credentials: { api_key: string; api_secret: string };
  readonly #numbersApi: AccountApi;
  readonly #applicationsApi: AccountApi;

  constructor(options: VonageAccountOptions) {
    this.#credentials = { api_key: options.apiKey, api_secret: options.apiSecret };
    const hosts = vonageHosts(options.apiUrl);
    const common = {
      provider: 'Vonage',
      urlSetting: { name: 'VONAGE_API_URL', default: 'https://api.nexmo.com' },
      refused:
        'Vonage refused this API key and secret: check VONAGE_API_KEY / VONAGE_API_SECRET in the Vonage dashboard ("API settings"); the secret may have been changed since it was copied.',
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.timeoutMs && { timeoutMs: options.timeoutMs }),
    };
    this.#numbersApi = new AccountApi({ ...common, apiUrl: hosts.numbers });
    this.#applicationsApi = new AccountApi({
      ...common,
      apiUrl: hosts.applications,
      authorization: `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`,
    });
  }

  /** Every number of the account, page by page; a first check of the key and secret too. */
  async numbers(): Promise<VonageNumber[]> {
    const numbers: VonageNumber[] = [];
    for (let index = 1; ; index++) {
      if (index > MAX_PAGES) throw this.#numbersApi.malformed('it kept sending more numbers');
      const query = new URLSearchParams({
        ...this.#credentials,
        size: String(PAGE_SIZE),
        index: String(index),
      });
      const body = (await this.#numbersApi.request(
        'GET',
        `/account/numbers?${query.toString()}`,
      )) as {
        count?: unknown;
        numbers?: unknown;
      };
      const count = Number(body.count ?? 0);
      // Vonage leaves "numbers" out when the account has none.
      if (body.numbers === undefined && count === 0) return numbers;
      if (!Array.isArray(body.numbers))
        throw this.#numbersApi.malformed('its list of numbers is missing');
      for (const item of body.numbers as Json[]) numbers.push(this.#number(item));
      if (body.numbers.length === 0 || numbers.length >= count) return numbers;
    }
  }

  /** Links the number to the application: its calls and texts then use the application's webhooks. */
  async link(number: VonageNumber, appId: string): Promise<void> {
    const form = new URLSearchParams({
      country: number.country,
      msisdn: number.msisdn,
      app_id: appId,
      ...this.#credentials,
    });
    const refused = (why: string) =>
      new NonmerciError(
        'provider_error',
        `Vonage did not link ${number.phoneNumber} to the application ${appId} (${why}). Link it in the dashboard ("Applications" › the application › "Link"), then run "npx nonmerci doctor".`,
      );
    let body: Json;
    try {
      body = (await this.#numbersApi.request('POST', '/number/update', { form })) as Json;
    } catch (error) {
      if (error instanceof NonmerciError && error.code === 'provider_error')
        throw refused(error.message.replace(/\.$/, ''));
      throw error;
    }
    const code = text(body['error-code']);
    if (code && code !== '200') throw refused(text(body['error-code-label']) ?? `error ${code}`);
  }

  async application(id: string): Promise<VonageApplication | null> {
    const body = await this.#applicationsApi.find(`/v2/applications/${encodeURIComponent(id)}`);
    return body ? this.#application(body as Json) : null;
  }

  /**
   * Sets the application's four webhooks, all POST, keeping everything else it holds: PUT replaces
   * the whole application, so the change is merged into what `application` returned.
   */
  async setWebhooks(
    app: VonageApplication,
    addresses: Record<keyof VonageWebhooks, string>,
  ): Promise<VonageApplication> {
    const capabilities = structuredClone(object(app.raw.capabilities));
    for (const [name, [capability, field]] of Object.entries(WEBHOOK_PATHS)) {
      const cap = (capabilities[capability] = object(capabilities[capability]));
      const webhooks = (cap.webhooks = object(cap.webhooks));
      webhooks[field] = {
        ...object(webhooks[field]),
        address: addresses[name as keyof VonageWebhooks],
        http_method: 'POST',
      };
    }
    // Status and inbound webhooks in the Messages API's own format (nonmerci reads v1).
    object(capabilities.messages).version = 'v1';
    const body = {
      name: app.name,
      capabilities,
      ...(app.raw.keys !== undefined && { keys: object(app.raw.keys) }),
      ...(app.raw.privacy !== undefined && { privacy: app.raw.privacy }),
    };
    const updated = await this.#applicationsApi.request(
      'PUT',
      `/v2/applications/${encodeURIComponent(app.id)}`,
      { json: body },
    );
    return this.#application(updated as Json);
  }

  #number(item: Json): VonageNumber {
    const msisdn = text(item?.msisdn);
    const country = text(item?.country);
    if (!msisdn || !country) throw this.#numbersApi.malformed('a number has no msisdn or country');
    const features = Array.isArray(item.features) ? item.features.map(String) : [];
    return {
      country,
      phoneNumber: `+${msisdn.replace(/^\+/, '')}`,
      msisdn: msisdn.replace(/^\+/, ''),
      type: text(item.type) ?? '',
      voice: features.includes('VOICE'),
      sms: features.includes('SMS'),
      appId: text(item.app_id),
    };
  }

  #application(raw: Json): VonageApplication {
    const id = text(raw.id);
    if (!id) throw this.#applicationsApi.malformed('the application has no id');
    const capabilities = object(raw.capabilities);
    const webhooks = Object.fromEntries(
      Object.entries(WEBHOOK_PATHS).map(([name, [capability, field]]) => {
        const hook = object(object(object(capabilities[capability]).webhooks)[field]);
        return [name, { address: text(hook.address), method: text(hook.http_method) }];
      }),
    ) as VonageWebhooks;
    return { id, name: text(raw.name) ?? id, webhooks, raw };
  }
}
