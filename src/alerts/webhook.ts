import {
  assertSinkName,
  errorMessage,
  excerpt,
  scrub,
  type AlertMessage,
  type AlertSink,
} from './sinks.ts';

/** Discord refuses a message whose `content` is longer than this (UTF-16 code units). */
export const DISCORD_CONTENT_MAX = 2000;

export interface WebhookSinkOptions {
  /** Time allowed for the whole request, answer included. Default 10 s. */
  timeoutMs?: number;
  /** Name remembered per alert; default "webhook". */
  name?: string;
}

/**
 * Keeps text from an outside source (a provider's error message) from pinging a whole channel:
 * "@channel", "@here", "@all", "@everyone" (Mattermost, Discord) and Slack's "<!channel>" or
 * "<@U123>" get an invisible zero-width space that breaks the mention.
 */
export function neutraliseMentions(text: string): string {
  return text
    .replace(/@(channel|here|all|everyone)\b/gi, '@\u200b$1')
    .replace(/<([!@#])/g, '<\u200b$1');
}

/** Shortens a text to `max` UTF-16 code units, ending with "…", never splitting a surrogate pair. */
export function truncateUtf16(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Posts alerts to a chat's incoming webhook. One JSON body suits all three common chats:
 * Slack and Mattermost read `text` (and ignore `content`), Discord reads `content` (at most 2000
 * characters; it refuses a body with neither `content` nor `embeds`) and ignores `text`;
 * `allowed_mentions` stops Discord from pinging anyone, `event` carries the raw event for
 * home-made receivers. `username` is honoured where the chat lets webhooks choose their name.
 *
 * The URL's path and query are secrets (anyone holding a Slack or Discord webhook URL can post to
 * the channel), so errors name only the host.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  readonly #url: URL;
  readonly #host: string;
  readonly #timeoutMs: number;
  readonly #secrets: string[];

  constructor(url: string, options: WebhookSinkOptions = {}) {
    this.name = assertSinkName(options.name ?? 'webhook');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(
        'The alert webhook address is not a URL: paste the whole address your chat gave you (https://…)',
      );
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new Error(
        `The alert webhook address must start with https:// (not ${parsed.protocol}//)`,
      );
    this.#url = parsed;
    this.#host = parsed.host;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#secrets = [
      url,
      parsed.href,
      parsed.pathname.length > 1 ? parsed.pathname : null,
      parsed.search.length > 1 ? parsed.search : null,
      parsed.username || null,
      parsed.password || null,
    ].filter((s): s is string => s !== null);
  }

  async deliver(alert: AlertMessage): Promise<void> {
    const message = neutraliseMentions(`${alert.subject}\n\n${alert.text}`);
    const body = JSON.stringify({
      text: message,
      content: truncateUtf16(message, DISCORD_CONTENT_MAX),
      username: 'nonmerci',
      allowed_mentions: { parse: [] },
      event: alert.event,
    });
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
        // A webhook that redirects has moved; following it would turn the POST into a GET.
        redirect: 'manual',
      });
    } catch (error) {
      // The original error is left out on purpose: its message may hold the secret URL.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(this.#describe(error));
    }
    if (response.ok) {
      await response.body?.cancel().catch(() => {});
      return;
    }
    let answer = '';
    try {
      answer = await response.text();
    } catch {
      // The status says enough.
    }
    const hint =
      response.status === 404 || response.status === 401 || response.status === 403
        ? ' (the webhook may have been deleted or disabled: create a new one and update ALERT_WEBHOOK_URL)'
        : '';
    const said = answer.trim() ? `: ${excerpt(scrub(answer, this.#secrets))}` : '';
    throw new Error(
      `Alert webhook at ${this.#host} answered HTTP ${response.status}${hint}${said}`,
    );
  }

  #describe(error: unknown): string {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return `Alert webhook at ${this.#host} did not answer within ${this.#timeoutMs / 1000} s`;
    return `Alert webhook at ${this.#host} could not be reached: ${scrub(errorMessage(error), this.#secrets)}`;
  }
}
