import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Twilio's Messages API on loopback. It checks HTTP Basic credentials, records every
 * message it accepts, answers like Twilio (201 JSON, or {code, message, status} errors) and serves
 * the list and fetch endpoints used to reconcile interrupted sends.
 */
export interface RecordedMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  dateCreated: number;
}

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
  /**
   * Milliseconds to wait before answering a POST, after the message is recorded: like the real API,
   * the message exists before the client hears about it, so a client killed in this window must
   * reconcile rather than resend. 0 (the default) answers at once.
   */
  delayMs = 0;
  /** Called as soon as a message is recorded, before the (possibly delayed) answer. */
  onMessage: ((message: RecordedMessage) => void) | null = null;
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

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
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
    const fetchMatch = url.pathname.match(new RegExp(`^${base}/(SM\\w+)\\.json$`));
    if (req.method === 'GET' && fetchMatch) {
      const message = this.messages.find((m) => m.sid === fetchMatch[1]);
      return message
        ? { status: 200, body: this.#resource(message, true) }
        : { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
    }
    return { status: 404, body: { code: 20404, message: 'not found', status: 404 } };
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
