import { AccountApi } from '../account-api.ts';

/**
 * Client for the parts of Twilio's account API (2010-04-01) that connect a number to nonmerci: the
 * account itself, its phone numbers, and their webhook settings.
 * https://www.twilio.com/docs/iam/api/account
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
 *
 * GET  /2010-04-01/Accounts/{AccountSid}.json
 * → 200 {"sid":"AC…","friendly_name":"My first Twilio account","status":"active","type":"Full",…}
 * → 401 {"code":20003,"message":"Authenticate","status":401}
 * GET  /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?PageSize=100
 * → 200 {"incoming_phone_numbers":[{"sid":"PN…","phone_number":"+33939000000",
 *        "friendly_name":"09 39 00 00 00","voice_url":"https://…","sms_url":"",
 *        "status_callback":"","capabilities":{"voice":true,"sms":true,"mms":false,"fax":false},…}],
 *        "next_page_uri":"/2010-04-01/Accounts/AC…/IncomingPhoneNumbers.json?PageSize=100&Page=1&PageToken=PA…",…}
 * POST /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json  (form-encoded)
 *      VoiceUrl, VoiceMethod, SmsUrl, SmsMethod, StatusCallback, StatusCallbackMethod
 * → 200 the updated number, as in the list
 */
export interface TwilioNumber {
  sid: string;
  /** E.164, e.g. +33939000000. */
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string | null;
  smsUrl: string | null;
  statusCallback: string | null;
  capabilities: { voice: boolean; sms: boolean };
}

export interface TwilioAccountOptions {
  accountSid: string;
  authToken: string;
  /** TWILIO_API_URL: https://api.twilio.com, a regional endpoint, or a test double. */
  apiUrl: string;
  fetch?: typeof fetch;
  /** How long one request may take before it counts as unreachable (default 10 s). */
  timeoutMs?: number;
}

interface NumberResource {
  sid?: string;
  phone_number?: string;
  friendly_name?: string;
  voice_url?: string | null;
  sms_url?: string | null;
  status_callback?: string | null;
  capabilities?: Record<string, unknown> | null;
}

/** More pages than this (10,000 numbers) means the API is looping; stop rather than spin. */
const MAX_PAGES = 100;

export class TwilioAccount {
  readonly #sid: string;
  readonly #api: AccountApi;

  constructor(options: TwilioAccountOptions) {
    this.#sid = options.accountSid;
    this.#api = new AccountApi({
      provider: 'Twilio',
      apiUrl: options.apiUrl,
      urlSetting: { name: 'TWILIO_API_URL', default: 'https://api.twilio.com' },
      refused:
        'Twilio refused these credentials: check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN in the console (https://console.twilio.com, "Account info"); the auth token may have been changed since it was copied.',
      authorization: `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.timeoutMs && { timeoutMs: options.timeoutMs }),
    });
  }

  /** Checks the credentials; throws NonmerciError code 'provider_auth' (401/403) or 'provider_unreachable'. */
  async verify(): Promise<{ friendlyName: string; status: string }> {
    const account = (await this.#api.request('GET', `/2010-04-01/Accounts/${this.#sid}.json`)) as {
      friendly_name?: string;
      status?: string;
    };
    return { friendlyName: account.friendly_name ?? '', status: account.status ?? 'unknown' };
  }

  /** Every phone number of the account, following Twilio's pages. */
  async numbers(): Promise<TwilioNumber[]> {
    const numbers: TwilioNumber[] = [];
    const seen = new Set<string>();
    let path: string | null =
      `/2010-04-01/Accounts/${this.#sid}/IncomingPhoneNumbers.json?PageSize=100`;
    for (let page = 0; path !== null; page++) {
      if (page >= MAX_PAGES || seen.has(path))
        throw this.#api.malformed('it kept sending more pages of phone numbers');
      seen.add(path);
      const body = (await this.#api.request('GET', path)) as {
        incoming_phone_numbers?: unknown;
        next_page_uri?: string | null;
      };
      if (!Array.isArray(body.incoming_phone_numbers))
        throw this.#api.malformed('its list of phone numbers is missing');
      for (const item of body.incoming_phone_numbers as NumberResource[])
        numbers.push(this.#number(item));
      path = this.#nextPage(body.next_page_uri);
    }
    return numbers;
  }

  /** Points a number's calls, texts and status reports at these URLs (all POST); returns it updated. */
  async configure(
    numberSid: string,
    urls: { voiceUrl: string; smsUrl: string; statusCallback: string },
  ): Promise<TwilioNumber> {
    const form = new URLSearchParams({
      VoiceUrl: urls.voiceUrl,
      VoiceMethod: 'POST',
      SmsUrl: urls.smsUrl,
      SmsMethod: 'POST',
      StatusCallback: urls.statusCallback,
      // POST is Twilio's default, but a method set to GET earlier would otherwise stay.
      StatusCallbackMethod: 'POST',
    });
    const path = `/2010-04-01/Accounts/${this.#sid}/IncomingPhoneNumbers/${encodeURIComponent(numberSid)}.json`;
    return this.#number(await this.#api.request('POST', path, { form }));
  }

  /** The next page's path, or null; a page elsewhere than TWILIO_API_URL is never followed. */
  #nextPage(uri: string | null | undefined): string | null {
    if (!uri) return null;
    if (uri.startsWith('/')) return uri;
    const base = this.#api.apiUrl;
    if (uri.startsWith(`${base}/`)) return uri.slice(base.length);
    throw this.#api.malformed('it sent the next page of phone numbers from another address');
  }

  #number(item: NumberResource): TwilioNumber {
    if (typeof item?.sid !== 'string' || typeof item.phone_number !== 'string')
      throw this.#api.malformed('a phone number has no sid or number');
    const caps = item.capabilities ?? {};
    return {
      sid: item.sid,
      phoneNumber: item.phone_number,
      friendlyName: item.friendly_name ?? item.phone_number,
      voiceUrl: item.voice_url || null,
      smsUrl: item.sms_url || null,
      statusCallback: item.status_callback || null,
      capabilities: {
        voice: (caps.voice ?? caps.Voice) === true,
        sms: (caps.sms ?? caps.SMS) === true,
      },
    };
  }
}
