import { FakeAccountApi, type FakeAnswer, type RecordedRequest } from './fake-account-api.ts';

/**
 * A stand-in for the parts of Telnyx's API v2 that `nonmerci connect telnyx` and `doctor` use: the
 * balance, the phone numbers (in pages of `pageSize`), TeXML applications and messaging profiles.
 * It checks the Bearer key, and refuses what the real API refuses: a TeXML update without
 * friendly_name or voice_url, a voice_method other than get or post, an unknown webhook version.
 */
export interface FakeTelnyxNumber {
  id: string;
  phoneNumber: string;
  connectionId: string | null;
  messagingProfileId: string | null;
}

export interface FakeTexmlApp {
  id: string;
  friendlyName: string;
  voiceUrl: string;
  voiceMethod: string;
  /** Settings connect must keep. */
  statusCallback: string;
}

export interface FakeMessagingProfile {
  id: string;
  name: string;
  webhookUrl: string | null;
  webhookApiVersion: string;
}

export const TELNYX_KEY = 'KEY0123456789ABCDEF_fake';
/** A valid-looking Ed25519 public key (32 bytes, base64). */
export const TELNYX_PUBLIC_KEY = Buffer.alloc(32, 7).toString('base64');

const errors = (status: number, code: string, title: string, detail: string): FakeAnswer => ({
  status,
  body: { errors: [{ code, title, detail }] },
});

export class FakeTelnyxAccount extends FakeAccountApi {
  apiKey = TELNYX_KEY;
  pageSize = 250;
  numbers: FakeTelnyxNumber[] = [];
  apps: FakeTexmlApp[] = [];
  profiles: FakeMessagingProfile[] = [];

  /**
   * The usual account: +33939000000 on a TeXML application (pointing at a demo page with GET) and a
   * messaging profile without webhook; +33939000001 with neither; +33939000002 on a SIP connection
   * (not a TeXML application) and the same messaging profile.
   */
  seed(): this {
    this.requests.length = 0;
    this.apps = [
      {
        id: '1494404757140276705',
        friendlyName: 'hotline-calls',
        voiceUrl: 'https://example.com/texml',
        voiceMethod: 'get',
        statusCallback: 'https://example.com/status',
      },
    ];
    this.profiles = [
      {
        id: '4001767e-ce0f-4cae-9d5f-0d5e636e7809',
        name: 'hotline-texts',
        webhookUrl: null,
        webhookApiVersion: '2',
      },
    ];
    this.numbers = [
      {
        id: '1293384261075731499',
        phoneNumber: '+33939000000',
        connectionId: this.apps[0]!.id,
        messagingProfileId: this.profiles[0]!.id,
      },
      {
        id: '1293384261075731500',
        phoneNumber: '+33939000001',
        connectionId: null,
        messagingProfileId: null,
      },
      {
        id: '1293384261075731501',
        phoneNumber: '+33939000002',
        connectionId: '1684641123236054244',
        messagingProfileId: this.profiles[0]!.id,
      },
    ];
    return this;
  }

  protected handle(request: RecordedRequest, url: URL): FakeAnswer {
    if (request.authorization !== `Bearer ${this.apiKey}`)
      return errors(
        401,
        '10009',
        'Authentication failed',
        'The API key is invalid or has been deleted.',
      );
    const path = url.pathname;
    if (request.method === 'GET' && path === '/v2/balance')
      return {
        status: 200,
        body: {
          data: {
            record_type: 'balance',
            balance: '300.00',
            currency: 'USD',
            credit_limit: '100.00',
          },
        },
      };
    if (request.method === 'GET' && path === '/v2/phone_numbers') {
      const size = Math.min(Number(url.searchParams.get('page[size]') ?? 20), this.pageSize);
      const page = Number(url.searchParams.get('page[number]') ?? 1);
      const slice = this.numbers.slice((page - 1) * size, page * size);
      return {
        status: 200,
        body: {
          data: slice.map((n) => ({
            record_type: 'phone_number',
            id: n.id,
            phone_number: n.phoneNumber,
            status: 'active',
            connection_id: n.connectionId ?? '',
            messaging_profile_id: n.messagingProfileId,
          })),
          meta: {
            page_number: page,
            page_size: size,
            total_pages: Math.max(1, Math.ceil(this.numbers.length / size)),
            total_results: this.numbers.length,
          },
        },
      };
    }
    const app = /^\/v2\/texml_applications\/([^/]+)$/.exec(path);
    if (app) return this.#app(request, app[1]!);
    const profile = /^\/v2\/messaging_profiles\/([^/]+)$/.exec(path);
    if (profile) return this.#profile(request, profile[1]!);
    return errors(404, '10005', 'Resource not found', 'The requested resource does not exist.');
  }

  #app(request: RecordedRequest, id: string): FakeAnswer {
    const app = this.apps.find((a) => a.id === id);
    if (!app)
      return errors(404, '10005', 'Resource not found', 'The requested resource does not exist.');
    if (request.method === 'PATCH') {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      if (typeof body.friendly_name !== 'string' || typeof body.voice_url !== 'string')
        return errors(422, '10015', 'Invalid value', 'friendly_name and voice_url are required.');
      if (body.voice_method !== undefined && !['get', 'post'].includes(body.voice_method as string))
        return errors(422, '10015', 'Invalid value', 'voice_method must be one of: get, post.');
      app.friendlyName = body.friendly_name;
      app.voiceUrl = body.voice_url;
      if (typeof body.voice_method === 'string') app.voiceMethod = body.voice_method;
    } else if (request.method !== 'GET') return errors(405, '10006', 'Method not allowed', '');
    return {
      status: 200,
      body: {
        data: {
          record_type: 'texml_application',
          id: app.id,
          friendly_name: app.friendlyName,
          voice_url: app.voiceUrl,
          voice_method: app.voiceMethod,
          status_callback: app.statusCallback,
          status_callback_method: 'post',
          active: true,
        },
      },
    };
  }

  #profile(request: RecordedRequest, id: string): FakeAnswer {
    const profile = this.profiles.find((p) => p.id === id);
    if (!profile)
      return errors(404, '10005', 'Resource not found', 'The requested resource does not exist.');
    if (request.method === 'PATCH') {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      if (
        body.webhook_api_version !== undefined &&
        !['1', '2', '2010-04-01'].includes(body.webhook_api_version as string)
      )
        return errors(
          422,
          '10015',
          'Invalid value',
          'webhook_api_version must be 1, 2 or 2010-04-01.',
        );
      if (typeof body.webhook_url === 'string') profile.webhookUrl = body.webhook_url;
      if (typeof body.webhook_api_version === 'string')
        profile.webhookApiVersion = body.webhook_api_version;
    } else if (request.method !== 'GET') return errors(405, '10006', 'Method not allowed', '');
    return {
      status: 200,
      body: {
        data: {
          record_type: 'messaging_profile',
          id: profile.id,
          name: profile.name,
          enabled: true,
          webhook_url: profile.webhookUrl,
          webhook_api_version: profile.webhookApiVersion,
        },
      },
    };
  }
}
