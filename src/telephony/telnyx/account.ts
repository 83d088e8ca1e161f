import { AccountApi } from '../account-api.ts';

/**
 * Client for the parts of Telnyx's API v2 that connect a number to nonmerci: the balance (to check
 * the API key), the phone numbers, and the two places their webhooks live — the TeXML application
 * the number's calls go to (its voice URL) and the messaging profile its texts go to (its webhook).
 * https://developers.telnyx.com/api-reference/phone-numbers/list-phone-numbers
 * https://developers.telnyx.com/api-reference/texml-applications/update-a-texml-application
 * https://developers.telnyx.com/api-reference/messaging-profiles/update-a-messaging-profile
 *
 * GET   /v2/balance                          (Authorization: Bearer KEY…)
 * → 200 {"data":{"balance":"300.00","currency":"USD","record_type":"balance",…}}
 * → 401 {"errors":[{"code":"10009","title":"Authentication failed","detail":"…"}]}
 * GET   /v2/phone_numbers?page[number]=1&page[size]=250
 * → 200 {"data":[{"id":"1293384261075731499","phone_number":"+33939000000","status":"active",
 *        "connection_id":"1494404757140276705","messaging_profile_id":"4001767e-…",…}],
 *        "meta":{"page_number":1,"page_size":250,"total_pages":1,"total_results":1}}
 * GET   /v2/texml_applications/{id}  → 200 {"data":{"id":"…","friendly_name":"call-router",
 *        "voice_url":"https://example.com","voice_method":"get",…}}, 404 when the connection is
 *        another kind (a SIP connection, a Call Control application)
 * PATCH /v2/texml_applications/{id}  {"friendly_name","voice_url","voice_method":"post"} (the
 *        first two are required)
 * GET   /v2/messaging_profiles/{id}  → 200 {"data":{"id":"…","name":"…","webhook_url":null,
 *        "webhook_api_version":"2",…}}
 * PATCH /v2/messaging_profiles/{id}  {"webhook_url","webhook_api_version":"2"}
 */
export interface TelnyxNumber {
  id: string;
  /** E.164, e.g. +33939000000. */
  phoneNumber: string;
  /** The connection (TeXML application, or another kind) that takes its calls; null: none. */
  connectionId: string | null;
  /** The messaging profile that takes its texts; null: it cannot send or receive texts. */
  messagingProfileId: string | null;
}

export interface TexmlApplication {
  id: string;
  friendlyName: string;
  voiceUrl: string | null;
  /** "get" or "post", as Telnyx writes it. */
  voiceMethod: string | null;
}

export interface MessagingProfile {
  id: string;
  name: string;
  webhookUrl: string | null;
  webhookApiVersion: string | null;
}

export interface TelnyxAccountOptions {
  apiKey: string;
  /** TELNYX_API_URL: https://api.telnyx.com, or a test double. */
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Numbers per page (Telnyx's maximum), and more pages than this means the API is looping. */
const PAGE_SIZE = 250;
const MAX_PAGES = 100;

type Data = { data?: Record<string, unknown> | null };
const text = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

export class TelnyxAccount {
  readonly #api: AccountApi;

  constructor(options: TelnyxAccountOptions) {
    this.#api = new AccountApi({
      provider: 'Telnyx',
      apiUrl: options.apiUrl,
      urlSetting: { name: 'TELNYX_API_URL', default: 'https://api.telnyx.com' },
      refused:
        'Telnyx refused this API key: check TELNYX_API_KEY in the Telnyx portal ("API Keys"); the key may have been deleted or rolled since it was copied.',
      authorization: `Bearer ${options.apiKey}`,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.timeoutMs && { timeoutMs: options.timeoutMs }),
    });
  }

  /** Checks the API key; returns the balance, e.g. "300.00 USD". */
  async verify(): Promise<{ balance: string }> {
    const { data } = (await this.#api.request('GET', '/v2/balance')) as Data;
    if (!data) throw this.#api.malformed('its balance is missing');
    return { balance: [text(data.balance), text(data.currency)].filter(Boolean).join(' ') };
  }

  /** Every phone number of the account, page by page. */
  async numbers(): Promise<TelnyxNumber[]> {
    const numbers: TelnyxNumber[] = [];
    for (let page = 1; ; page++) {
      if (page > MAX_PAGES) throw this.#api.malformed('it kept sending more pages of numbers');
      const body = (await this.#api.request(
        'GET',
        `/v2/phone_numbers?page[number]=${page}&page[size]=${PAGE_SIZE}`,
      )) as { data?: unknown; meta?: { total_pages?: unknown } };
      if (!Array.isArray(body.data)) throw this.#api.malformed('its list of numbers is missing');
      for (const item of body.data as Record<string, unknown>[]) {
        const id = text(item?.id);
        const phoneNumber = text(item?.phone_number);
        if (!id || !phoneNumber) throw this.#api.malformed('a phone number has no id or number');
        numbers.push({
          id,
          phoneNumber,
          connectionId: text(item.connection_id),
          messagingProfileId: text(item.messaging_profile_id),
        });
      }
      const pages = Number(body.meta?.total_pages ?? 1);
      if (!(page < pages) || body.data.length === 0) return numbers;
    }
  }

  /** The TeXML application of this connection, or null when the connection is of another kind. */
  async texmlApplication(connectionId: string): Promise<TexmlApplication | null> {
    const body = (await this.#api.find(
      `/v2/texml_applications/${encodeURIComponent(connectionId)}`,
    )) as Data | null;
    return body ? this.#application(body) : null;
  }

  /** Sends the application's calls to `voiceUrl` with POST; its name is kept (Telnyx requires it). */
  async setVoiceUrl(app: TexmlApplication, voiceUrl: string): Promise<TexmlApplication> {
    const body = await this.#api.request(
      'PATCH',
      `/v2/texml_applications/${encodeURIComponent(app.id)}`,
      { json: { friendly_name: app.friendlyName, voice_url: voiceUrl, voice_method: 'post' } },
    );
    return this.#application(body);
  }

  async messagingProfile(id: string): Promise<MessagingProfile | null> {
    const body = (await this.#api.find(
      `/v2/messaging_profiles/${encodeURIComponent(id)}`,
    )) as Data | null;
    return body ? this.#profile(body) : null;
  }

  /** Sends the profile's texts and delivery reports to `webhookUrl`, as API v2 JSON events. */
  async setMessagingWebhook(id: string, webhookUrl: string): Promise<MessagingProfile> {
    const body = await this.#api.request(
      'PATCH',
      `/v2/messaging_profiles/${encodeURIComponent(id)}`,
      { json: { webhook_url: webhookUrl, webhook_api_version: '2' } },
    );
    return this.#profile(body);
  }

  #application({ data }: Data): TexmlApplication {
    const id = text(data?.id);
    if (!data || !id) throw this.#api.malformed('a TeXML application has no id');
    return {
      id,
      friendlyName: text(data.friendly_name) ?? id,
      voiceUrl: text(data.voice_url),
      voiceMethod: text(data.voice_method)?.toLowerCase() ?? null,
    };
  }

  #profile({ data }: Data): MessagingProfile {
    const id = text(data?.id);
    if (!data || !id) throw this.#api.malformed('a messaging profile has no id');
    return {
      id,
      name: text(data.name) ?? id,
      webhookUrl: text(data.webhook_url),
      webhookApiVersion: text(data.webhook_api_version),
    };
  }
}
