import type { AlertKind } from './events.ts';
import {
  assertSinkName,
  errorMessage,
  excerpt,
  scrub,
  type AlertMessage,
  type AlertSink,
} from './sinks.ts';

/**
 * Publishes alerts to an ntfy topic (https://docs.ntfy.sh/publish/#publish-as-json): one JSON POST
 * to the server's root with the topic, a title and the message, so that accents and emoji need no
 * header encoding. A collective's own ntfy server on the same machine or network is fine. An access
 * token, when the topic is protected, goes in `Authorization: Bearer`.
 *
 * Sample body: {"topic":"nonmerci-alertes","title":"Raid : bouclier activé","message":"…","priority":4,"tags":["rotating_light"]}
 */
export class NtfySink implements AlertSink {
  readonly name: string;
  readonly #server: URL;
  readonly #topic: string;
  readonly #token: string | null;
  readonly #timeoutMs: number;

  constructor(options: {
    name: string;
    server: string;
    topic: string;
    token?: string | null;
    timeoutMs?: number;
  }) {
    this.name = assertSinkName(options.name);
    let server: URL;
    try {
      server = new URL(options.server);
    } catch {
      throw new Error('The ntfy server is not an address: write it whole, e.g. https://ntfy.sh');
    }
    if (server.protocol !== 'https:' && server.protocol !== 'http:')
      throw new Error('The ntfy server must start with https:// or http://');
    if (!/^[\w-]{1,64}$/.test(options.topic))
      throw new Error('The ntfy topic may only hold letters, digits, - and _ (64 at most)');
    this.#server = server;
    this.#topic = options.topic;
    this.#token = options.token?.trim() || null;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async deliver(alert: AlertMessage): Promise<void> {
    const urgent: AlertKind[] = ['threat', 'shield_on'];
    const body = JSON.stringify({
      topic: this.#topic,
      title: alert.subject,
      message: alert.text,
      priority: urgent.includes(alert.event.kind) ? 4 : 3,
      tags: [alert.event.kind === 'threat' ? 'warning' : 'rotating_light'],
    });
    const secrets = [this.#topic, this.#token];
    let response: Response;
    try {
      response = await fetch(new URL('/', this.#server), {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      // The original error is left out on purpose: it may hold the topic or the token.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(
        timedOut
          ? `ntfy at ${this.#server.host} did not answer within ${this.#timeoutMs / 1000} s`
          : `ntfy at ${this.#server.host} could not be reached: ${scrub(errorMessage(error), secrets)}`,
      );
    }
    if (response.ok) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    const answer = await response.text().catch(() => '');
    const hint =
      response.status === 401 || response.status === 403
        ? ' (the topic is protected: check the access token)'
        : '';
    const said = answer.trim() ? `: ${excerpt(scrub(answer, secrets))}` : '';
    throw new Error(`ntfy at ${this.#server.host} answered HTTP ${response.status}${hint}${said}`);
  }
}
