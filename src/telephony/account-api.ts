import { NonmerciError } from '../domain/errors.ts';

/**
 * One request to a provider's account API (numbers, applications, webhooks), shared by the account
 * clients of `nonmerci connect` and `nonmerci doctor`: JSON back, or a NonmerciError that says what
 * to do — 'provider_auth' (credentials refused), 'provider_unreachable' (no answer) or
 * 'provider_error' (any other refusal, or an answer that is not the API's). Messages never hold the
 * request's query string, which may carry credentials (Vonage's api_secret).
 */
export interface AccountApiOptions {
  /** The provider's name in messages, e.g. "Twilio". */
  provider: string;
  /** Base URL, without a trailing slash. */
  apiUrl: string;
  /** The setting that changes apiUrl, and its default, named when the API cannot be reached. */
  urlSetting: { name: string; default: string };
  /** The whole message when the credentials are refused (401 or 403): which settings to check. */
  refused: string;
  /** The Authorization header, when the API takes one. */
  authorization?: string;
  fetch?: typeof fetch;
  /** How long one request may take before it counts as unreachable (default 10 s). */
  timeoutMs?: number;
}

export type RequestBody = { form: URLSearchParams } | { json: unknown };

export class AccountApi {
  readonly apiUrl: string;
  readonly #options: AccountApiOptions;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AccountApiOptions) {
    this.#options = options;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `method path` (under apiUrl) answered with JSON; any refusal throws. */
  async request(method: string, path: string, body?: RequestBody): Promise<object> {
    const answer = await this.#send(method, path, body);
    if (!answer.ok) throw this.#refusal(method, path, answer);
    return answer.body;
  }

  /** Like request, but null when the resource does not exist (404). */
  async find(path: string): Promise<object | null> {
    const answer = await this.#send('GET', path);
    if (answer.status === 404) return null;
    if (!answer.ok) throw this.#refusal('GET', path, answer);
    return answer.body;
  }

  /** The error of an answer that does not look like the provider's API. */
  malformed(why: string): NonmerciError {
    const { provider, urlSetting } = this.#options;
    return new NonmerciError(
      'provider_error',
      `${this.apiUrl} did not answer like ${provider}'s API (${why}); check ${urlSetting.name}, or leave it unset for ${urlSetting.default}.`,
      { apiUrl: this.apiUrl },
    );
  }

  async #send(
    method: string,
    path: string,
    body?: RequestBody,
  ): Promise<{ ok: boolean; status: number; body: object }> {
    const { provider, urlSetting, authorization } = this.#options;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(`${this.apiUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(authorization && { authorization }),
          ...(body &&
            ('form' in body
              ? { 'content-type': 'application/x-www-form-urlencoded' }
              : { 'content-type': 'application/json' })),
        },
        ...(body && {
          body: 'form' in body ? body.form.toString() : JSON.stringify(body.json),
        }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new NonmerciError(
        'provider_unreachable',
        `${provider} cannot be reached at ${this.apiUrl} (${reason(error, this.#timeoutMs)}); check this machine's network, and ${urlSetting.name} if you set it (default ${urlSetting.default}).`,
        { apiUrl: this.apiUrl },
      );
    }
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: an error by its status, else malformed below.
    }
    if (response.status === 401 || response.status === 403)
      throw new NonmerciError('provider_auth', this.#options.refused, { status: response.status });
    if (response.ok && (parsed === null || typeof parsed !== 'object'))
      throw this.malformed('its answer is not JSON');
    return { ok: response.ok, status: response.status, body: parsed ?? {} };
  }

  #refusal(method: string, path: string, answer: { status: number; body: object }) {
    const said = explanation(answer.body);
    return new NonmerciError(
      'provider_error',
      `${this.#options.provider} answered ${answer.status} to ${method} ${path.replace(/\?.*/, '')}${said ? `: ${said}` : ''}.`,
      { status: answer.status },
    );
  }
}

/** What a provider's error body says, in its own words: Twilio, Telnyx and Vonage shapes. */
export function explanation(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : b;
  for (const value of [b.message, first?.detail, first?.title, b['error-code-label'], b.error_text])
    if (typeof value === 'string' && value.trim()) return value.trim();
  return null;
}

/** Why a request never got an answer, in words. */
function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'no address has that name';
  // A URL in the message would carry Vonage's api_secret: it is masked.
  return (cause?.message ?? (error as Error).message).replace(/(api_secret=)[^&\s]*/g, '$1•••');
}
