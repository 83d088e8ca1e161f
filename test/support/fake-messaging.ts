import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/**
 * Stand-ins on loopback for the send APIs of Telnyx (POST /v2/messages) and Vonage
 * (POST /v1/messages). Each checks the credentials the way the real API does, records the messages
 * it accepts, and answers like the real one, successes and errors alike. A test scripts failures
 * per attempt with `failure`: the answer is given without recording the message, or after
 * recording it (`recorded: true`: the message went out but the client hears an error).
 */
export interface SentMessage {
  id: string;
  to: string;
  from: string;
  text: string;
  /** Where the provider will send this message's delivery reports. */
  webhookUrl: string | null;
  /** Vonage's client_ref. */
  clientRef: string | null;
}

export interface ScriptedFailure {
  status: number;
  body: unknown;
  recorded?: boolean;
}

abstract class FakeApi {
  readonly messages: SentMessage[] = [];
  readonly requests: { method: string; path: string; authorization: string | null }[] = [];
  /** Attempts per destination number, as the provider received them. */
  readonly attempts = new Map<string, number>();
  failure: (to: string, attempt: number) => ScriptedFailure | null = () => null;
  #server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void this.#read(req).then((raw) => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: req.headers.authorization ?? null,
        });
        const { status, body } = this.handle(req, raw);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  reset(): void {
    this.messages.length = 0;
    this.requests.length = 0;
    this.attempts.clear();
    this.failure = () => null;
  }

  async #read(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Counts the attempt and applies the scripted failure, recording the message when it says so. */
  protected accept(
    message: SentMessage,
    ok: { status: number; body: unknown },
  ): { status: number; body: unknown } {
    const attempt = (this.attempts.get(message.to) ?? 0) + 1;
    this.attempts.set(message.to, attempt);
    const failure = this.failure(message.to, attempt);
    if (failure && !failure.recorded) return failure;
    this.messages.push(message);
    return failure ?? ok;
  }

  protected abstract handle(req: IncomingMessage, raw: string): { status: number; body: unknown };
}

/** Telnyx's Messaging API: Bearer API key, JSON in and out, errors as {errors: [{code, title, detail}]}. */
export class FakeTelnyx extends FakeApi {
  readonly apiKey = 'KEY0123456789ABCDEF_fake';

  protected handle(req: IncomingMessage, raw: string): { status: number; body: unknown } {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return telnyxError(401, '10009', 'Authentication failed', 'The API key is not valid.');
    if (req.method !== 'POST' || req.url !== '/v2/messages')
      return telnyxError(404, '10005', 'Resource not found', 'No such endpoint.');
    const body = JSON.parse(raw) as {
      from: string;
      to: string;
      text: string;
      webhook_url?: string;
    };
    const id = randomUUID();
    return this.accept(
      {
        id,
        to: body.to,
        from: body.from,
        text: body.text,
        webhookUrl: body.webhook_url ?? null,
        clientRef: null,
      },
      {
        status: 200,
        body: {
          data: {
            record_type: 'message',
            id,
            direction: 'outbound',
            from: { phone_number: body.from },
            to: [{ phone_number: body.to, status: 'queued' }],
            text: body.text,
            type: 'SMS',
            parts: 1,
          },
        },
      },
    );
  }
}

export function telnyxError(status: number, code: string, title: string, detail: string) {
  return { status, body: { errors: [{ code, title, detail }] } };
}

/**
 * Vonage's Messages API: a JWT of the application (RS256, checked with its public key) or basic
 * auth with the account's key and secret; 202 {message_uuid}; errors as RFC 7807 problems.
 */
export class FakeVonage extends FakeApi {
  readonly applicationId = 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab';
  readonly signatureSecret = 'fake-vonage-signature-secret-0123456789';
  readonly apiKey = 'a1b2c3d4';
  readonly apiSecret = 'fake-vonage-api-secret';
  readonly #publicKey: string;
  readonly privateKey: string;

  constructor(keys: { publicKey: string; privateKey: string }) {
    super();
    this.#publicKey = keys.publicKey;
    this.privateKey = keys.privateKey;
  }

  #authorized(header: string | undefined): boolean {
    if (header === `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}`)
      return true;
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) return false;
    try {
      const claims = jwt.verify(token, this.#publicKey, { algorithms: ['RS256'] }) as {
        application_id?: string;
      };
      return claims.application_id === this.applicationId;
    } catch {
      return false;
    }
  }

  protected handle(req: IncomingMessage, raw: string): { status: number; body: unknown } {
    if (!this.#authorized(req.headers.authorization))
      return vonageProblem(
        401,
        'unauthorized',
        'Unauthorized',
        'You did not provide correct credentials.',
      );
    if (req.method !== 'POST' || req.url !== '/v1/messages')
      return vonageProblem(404, 'not-found', 'Not Found', 'No such endpoint.');
    const body = JSON.parse(raw) as {
      to: string;
      from: string;
      text: string;
      client_ref?: string;
      webhook_url?: string;
      channel: string;
      message_type: string;
    };
    if (body.channel !== 'sms' || body.message_type !== 'text')
      return vonageProblem(422, '1150', 'Invalid params', 'Only text SMS are expected here.');
    const id = randomUUID();
    return this.accept(
      {
        id,
        to: body.to,
        from: body.from,
        text: body.text,
        webhookUrl: body.webhook_url ?? null,
        clientRef: body.client_ref ?? null,
      },
      { status: 202, body: { message_uuid: id } },
    );
  }
}

export function vonageProblem(status: number, code: string, title: string, detail: string) {
  return {
    status,
    body: {
      type: `https://developer.vonage.com/api-errors/messages#${code}`,
      title,
      detail,
      instance: randomUUID(),
    },
  };
}
