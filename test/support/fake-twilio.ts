import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Twilio's REST API on loopback. It checks HTTP Basic credentials, records every
 * message it accepts, answers like Twilio (201 JSON, or {code, message, status} errors) and serves
 * the list and fetch endpoints used to reconcile interrupted sends. For `nonmerci connect` it also
 * serves the account, its phone numbers (seeded with addNumber or seedNumbers, listed in pages of
 * `pageSize`) and their updates, recorded in `numberUpdates`.
 */
export interface RecordedMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  dateCreated: number;
}

/** A phone number of the fake account, as stored. */
export interface FakeNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voice: boolean;
  sms: boolean;
  voiceUrl: string;
  voiceMethod: string;
  smsUrl: string;
  smsMethod: string;
  statusCallback: string;
  statusCallbackMethod: string;
}

/** One update of a number's settings: the form fields exactly as received. */
export interface NumberUpdate {
  sid: string;
  fields: Record<string, string>;
}

/** The numbers of seedNumbers(): a 09 number fit for a hotline, a French mobile, a voice-only one. */
export const SEEDED_NUMBERS = {
  plateforme: '+33939000000',
  mobile: '+33639980012',
  voiceOnly: '+33939000001',
} as const;

export type FailureRule = (
  to: string,
  attempt: number,
) => { status: number; code: number; message: string } | null;

export class FakeTwilio {
  readonly messages: RecordedMessage[] = [];
  readonly attempts = new Map<string, number>();
  accountSid: string;
  authToken: string;
  price = '-0.07600';
  failure: FailureRule = () => null;
  /** An error answered after the message was recorded: it went out, but the client hears a failure. */
  failureAfterSending: FailureRule = () => null;
  /**
   * Milliseconds to wait before answering a POST, after the message is recorded: like the real API,
   * the message exists before the client hears about it, so a client killed in this window must
   * reconcile rather than resend. 0 (the default) answers at once.
   */
  delayMs = 0;
  /** Called as soon as a message is recorded, before the (possibly delayed) answer. */
  onMessage: ((message: RecordedMessage) => void) | null = null;
  /** The account's friendly name and status (active, suspended or closed). */
  account = { friendlyName: 'nonmerci test account', status: 'active' };
  readonly numbers: FakeNumber[] = [];
  readonly numberUpdates: NumberUpdate[] = [];
  /** Numbers per page of the IncomingPhoneNumbers list (Twilio's PageSize, capped like Twilio's). */
  pageSize = 50;
  /** Every request received, authenticated or not: method and path with its query. */
  readonly requests: { method: string; path: string }[] = [];
  #server: Server | null = null;
  #seq = 0;

  constructor(accountSid = `AC${'0'.repeat(31)}1`, authToken = 'fake-twilio-auth-token') {
    this.accountSid = accountSid;
    this.authToken = authToken;
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** The hotline's Twilio settings pointing at this fake (once started). */
  get settings(): { accountSid: string; authToken: string; apiUrl: string } {
    return { accountSid: this.accountSid, authToken: this.authToken, apiUrl: this.url };
  }

  async start(port = 0): Promise<this> {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  sentTo(to: string): RecordedMessage[] {
    return this.messages.filter((m) => m.to === to);
  }

  /** Adds a number to the account (voice and SMS unless told otherwise). */
  addNumber(
    phoneNumber: string,
    options: Partial<Omit<FakeNumber, 'sid' | 'phoneNumber'>> = {},
  ): FakeNumber {
    const number: FakeNumber = {
      sid: `PN${String(this.numbers.length + 1).padStart(32, '0')}`,
      phoneNumber,
      friendlyName: phoneNumber,
      voice: true,
      sms: true,
      voiceUrl: '',
      voiceMethod: 'POST',
      smsUrl: '',
      smsMethod: 'POST',
      statusCallback: '',
      statusCallbackMethod: 'POST',
      ...options,
    };
    this.numbers.push(number);
    return number;
  }

  /**
   * The usual account: a 09 number with voice and SMS (its voice URL pointing at a demo page, as a
   * new Twilio number's does), a French 06 mobile with both, and a voice-only 09 number.
   */
  seedNumbers(): FakeNumber[] {
    return [
      this.addNumber(SEEDED_NUMBERS.plateforme, {
        friendlyName: 'Hotline',
        voiceUrl: 'https://demo.twilio.com/welcome/voice/',
        voiceMethod: 'GET',
      }),
      this.addNumber(SEEDED_NUMBERS.mobile, { friendlyName: 'Mobile' }),
      this.addNumber(SEEDED_NUMBERS.voiceOnly, { friendlyName: 'Voice only', sms: false }),
    ];
  }

  number(phoneNumber: string): FakeNumber | undefined {
    return this.numbers.find((n) => n.phoneNumber === phoneNumber);
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests.push({ method: req.method ?? '', path: req.url ?? '' });
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } };
    const url = new URL(req.url ?? '/', 'http://fake');
    const base = `/2010-04-01/Accounts/${this.accountSid}/Messages`;
    if (req.method === 'POST' && url.pathname === `${base}.json`) {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      const attempt = (this.attempts.get(to) ?? 0) + 1;
      this.attempts.set(to, attempt);
      const failure = this.failure(to, attempt);
      if (failure)
        return {
          status: failure.status,
          body: { code: failure.code, message: failure.message, status: failure.status },
        };
      const message: RecordedMessage = {
        sid: `SM${String(++this.#seq).padStart(32, '0')}`,
        to,
        from: form.get('From') ?? '',
        body: form.get('Body') ?? '',
        statusCallback: form.get('StatusCallback'),
        dateCreated: Date.now(),
      };
      this.messages.push(message);
      this.onMessage?.(message);
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const late = this.failureAfterSending(to, attempt);
      if (late)
        return {
          status: late.status,
          body: { code: late.code, message: late.message, status: late.status },
        };
      return { status: 201, body: this.#resource(message, false) };
    }
    if (req.method === 'GET' && url.pathname === `${base}.json`) {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const list = this.messages
        .filter((m) => (!to || m.to === to) && (!from || m.from === from))
        .reverse();
      return { status: 200, body: { messages: list.map((m) => this.#resource(m, true)) } };
    }
    const account = this.#handleAccount(req.method ?? '', url, Buffer.concat(chunks));
    if (account) return account;
    const fetchMatch = url.pathname.match(new RegExp(`^${base}/(SM\\w+)\\.json$`));
    if (req.method === 'GET' && fetchMatch) {
      const message = this.messages.find((m) => m.sid === fetchMatch[1]);
      return message
        ? { status: 200, body: this.#resource(message, true) }
        : { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
    }
    return { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
  }

  /** The account and IncomingPhoneNumbers endpoints; null for any other request. */
  #handleAccount(method: string, url: URL, body: Buffer): { status: number; body: unknown } | null {
    const accountPath = `/2010-04-01/Accounts/${this.accountSid}`;
    const notFound = { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
    if (method === 'GET' && url.pathname === `${accountPath}.json`)
      return {
        status: 200,
        body: {
          sid: this.accountSid,
          friendly_name: this.account.friendlyName,
          status: this.account.status,
          type: 'Full',
        },
      };
    const list = `${accountPath}/IncomingPhoneNumbers.json`;
    if (method === 'GET' && url.pathname === list) {
      const size = Math.min(
        1000,
        Number(url.searchParams.get('PageSize') ?? this.pageSize),
        this.pageSize,
      );
      const page = Number(url.searchParams.get('Page') ?? 0);
      // Twilio wants the PageToken it handed out along with the page number.
      if (page > 0 && url.searchParams.get('PageToken') !== `PT${page}`) return notFound;
      const slice = this.numbers.slice(page * size, (page + 1) * size);
      const more = (page + 1) * size < this.numbers.length;
      return {
        status: 200,
        body: {
          incoming_phone_numbers: slice.map((n) => this.#numberResource(n)),
          page,
          page_size: size,
          first_page_uri: `${list}?PageSize=${size}&Page=0`,
          previous_page_uri: page > 0 ? `${list}?PageSize=${size}&Page=${page - 1}` : null,
          next_page_uri: more
            ? `${list}?PageSize=${size}&Page=${page + 1}&PageToken=PT${page + 1}`
            : null,
          uri: `${list}?PageSize=${size}&Page=${page}`,
          start: page * size,
          end: page * size + Math.max(0, slice.length - 1),
        },
      };
    }
    const one = url.pathname.match(
      new RegExp(`^${accountPath}/IncomingPhoneNumbers/(PN\\w+)\\.json$`),
    );
    if (!one) return null;
    const number = this.numbers.find((n) => n.sid === one[1]);
    if (!number) return notFound;
    if (method === 'GET') return { status: 200, body: this.#numberResource(number) };
    if (method !== 'POST') return null;
    const fields = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    this.numberUpdates.push({ sid: number.sid, fields });
    const settable: Record<string, keyof FakeNumber> = {
      VoiceUrl: 'voiceUrl',
      VoiceMethod: 'voiceMethod',
      SmsUrl: 'smsUrl',
      SmsMethod: 'smsMethod',
      StatusCallback: 'statusCallback',
      StatusCallbackMethod: 'statusCallbackMethod',
      FriendlyName: 'friendlyName',
    };
    for (const [field, value] of Object.entries(fields)) {
      const key = settable[field];
      if (key) (number as unknown as Record<string, string>)[key] = value;
    }
    return { status: 200, body: this.#numberResource(number) };
  }

  #numberResource(n: FakeNumber) {
    return {
      sid: n.sid,
      account_sid: this.accountSid,
      phone_number: n.phoneNumber,
      friendly_name: n.friendlyName,
      voice_url: n.voiceUrl,
      voice_method: n.voiceMethod,
      sms_url: n.smsUrl,
      sms_method: n.smsMethod,
      status_callback: n.statusCallback,
      status_callback_method: n.statusCallbackMethod,
      capabilities: { voice: n.voice, sms: n.sms, mms: false, fax: false },
      uri: `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }

  #resource(m: RecordedMessage, settled: boolean) {
    return {
      sid: m.sid,
      to: m.to,
      from: m.from,
      body: m.body,
      status: settled ? 'delivered' : 'queued',
      num_segments: '1',
      price: settled ? this.price : null,
      date_created: new Date(m.dateCreated).toUTCString(),
    };
  }
}
