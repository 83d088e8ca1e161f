import type { ApiError } from '../../src/web/api/contract.ts';

/** A request that failed: `status` 0 means the server could not be reached at all. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field a refusal is about, when the server named one. */
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let csrfToken: string | null = null;
let language = 'fr';
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Sent as Accept-Language, so that the server may answer in the operator's language. */
export function setRequestLanguage(lang: string): void {
  language = lang;
}

/** Called on any 401 (session expired or signed out elsewhere), except where a 401 is expected. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface Options {
  signal?: AbortSignal;
  /** Login answers 401 for a wrong password: that is not a lost session. */
  expect401?: boolean;
}

/** Sends a request; any answer but 2xx becomes a RequestError. */
async function send(
  method: string,
  path: string,
  body: unknown,
  options: Options = {},
  accept = 'application/json',
): Promise<Response> {
  const headers: Record<string, string> = { accept, 'accept-language': language };
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    payload = body;
    headers['content-type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new RequestError(0, 'network', '');
  }

  if (response.status === 401 && !options.expect401) onUnauthorized();
  if (!response.ok) throw await readError(response);
  return response;
}

async function request<T>(
  method: string,
  path: string,
  body: unknown,
  options: Options = {},
): Promise<T> {
  const response = await send(method, path, body, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A file the server sent as an attachment, read whole. */
export interface Download {
  blob: Blob;
  /** From Content-Disposition, else the fallback given. */
  fileName: string;
  headers: Headers;
}

/** POSTs `body` and reads the answer as a file (evidence bundle, a person's data). */
async function download(path: string, body: unknown, fallbackName: string): Promise<Download> {
  const response = await send('POST', path, body, {}, '*/*');
  const blob = await response.blob();
  const fileName = fileNameOf(response.headers.get('content-disposition')) ?? fallbackName;
  return { blob, fileName, headers: response.headers };
}

/** `attachment; filename="a.zip"` (or RFC 5987 `filename*=UTF-8''a.zip`) → "a.zip". */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(disposition);
  let name: string | undefined;
  try {
    name = encoded?.[1] ? decodeURIComponent(encoded[1]) : (plain?.[1] ?? plain?.[2]);
  } catch {
    name = plain?.[1] ?? plain?.[2];
  }
  // Only a base name: never a path the browser would have to refuse.
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base || null;
}

async function readError(response: Response): Promise<RequestError> {
  try {
    const body = (await response.json()) as Partial<ApiError>;
    return new RequestError(
      response.status,
      body.error ?? 'error',
      body.message ?? '',
      body.field ?? null,
    );
  } catch {
    return new RequestError(response.status, 'error', '');
  }
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, { signal }),
  post: <T>(path: string, body?: unknown, options?: Options) =>
    request<T>('POST', path, body, options),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path, undefined),
  download,
};

/** Builds `path?key=value…`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
