import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The loopback server under the fakes of provider account APIs (fake-telnyx-account.ts,
 * fake-vonage-account.ts): it records every request with its body, and answers what `handle` says,
 * as JSON.
 */
export interface RecordedRequest {
  method: string;
  /** Path with its query. */
  path: string;
  authorization: string | null;
  /** The body as sent (JSON or form text); empty for none. */
  body: string;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
}

export abstract class FakeAccountApi {
  readonly requests: RecordedRequest[] = [];
  #server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  /** The requests that change something (neither GET nor HEAD). */
  get changes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void read(req).then((body) => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '/',
          authorization: req.headers.authorization ?? null,
          body,
        };
        this.requests.push(request);
        const answer = this.handle(request, new URL(request.path, 'http://fake'));
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  protected abstract handle(request: RecordedRequest, url: URL): FakeAnswer;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
