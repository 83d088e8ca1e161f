import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** Test helpers of the alert tests: a local HTTP receiver and a logger that keeps its lines. */

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A webhook receiver on an ephemeral port; `respond` decides each answer (null: never answer). */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (n: number) => { status: number; body?: string } | null = () => ({ status: 204 });
  #server: Server | null = null;
  #base = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A URL on this receiver; the path stands for the secret part of a real webhook URL. */
  url(path: string): string {
    return `${this.#base}${path}`;
  }

  get host(): string {
    return new URL(this.#base).host;
  }

  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const answer = this.respond(this.requests.length);
    if (answer === null) return; // Hang: the client must give up by itself.
    res.writeHead(answer.status, { 'content-type': 'text/plain' });
    res.end(answer.body ?? '');
  }
}

export interface CapturedLog {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger writing synchronously into an array. */
export function capturingLogger(): { log: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as CapturedLog);
      callback();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}
