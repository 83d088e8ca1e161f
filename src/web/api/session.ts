import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts, Session } from '../../accounts/accounts.ts';
import { roleAllows, type Role } from '../../accounts/roles.ts';
import type {} from '@fastify/cookie';
import { HttpError } from '../errors.ts';

export const SESSION_COOKIE = 'nonmerci_session';
export const CSRF_HEADER = 'x-csrf-token';

const sessions = new WeakMap<FastifyRequest, Session>();

/** The session a guarded route's request was authenticated with. */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (!session) throw new HttpError(401, 'unauthorized', 'Sign in first.');
  return session;
}

/** The signed-in user's name, as written in the audit log. */
export const actorOf = (request: FastifyRequest) => sessionOf(request).user.username;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compares a secret a request presents with the expected one in constant time. */
export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Guard of dashboard routes: a valid session cookie, a role at least `needed` (or any role when
 * null), and on state-changing methods the session's CSRF token in the x-csrf-token header.
 */
export function sessionGuard(accounts: Accounts, needed: Role | null) {
  return async function requireSession(request: FastifyRequest): Promise<void> {
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await accounts.authenticate(token) : null;
    if (!session)
      throw new HttpError(
        401,
        'unauthorized',
        token ? 'Your session has ended; sign in again.' : 'Sign in first.',
      );
    if (
      !SAFE_METHODS.has(request.method) &&
      !secretMatches(request.headers[CSRF_HEADER], session.csrfToken)
    )
      throw new HttpError(
        403,
        'csrf_invalid',
        "This request lacks the page's security token; reload the page and try again.",
      );
    if (needed && !roleAllows(session.user.role, needed))
      throw new HttpError(403, 'forbidden', 'Your role does not allow this; ask an administrator.');
    sessions.set(request, session);
  };
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the dashboard is served over HTTPS. */
export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  options: { secure: boolean; maxAgeMs: number },
): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: options.secure,
    path: '/',
    maxAge: Math.floor(options.maxAgeMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
