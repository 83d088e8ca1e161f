import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts, Session } from '../../accounts/accounts.ts';
import { roleAllows, type Role } from '../../accounts/roles.ts';
import type {} from '@fastify/cookie';
import { HttpError } from '../errors.ts';

export const SESSION_COOKIE = 'nonmerci_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionCookie {
  name: string;
  secure: boolean;
}

/**
 * The session cookie of a server reached at `publicUrl`. Over HTTPS it is Secure and carries the
 * `__Host-` prefix: browsers then accept it only from a secure origin, for the whole site, never
 * set by a neighbouring subdomain. Browsers count http://localhost as secure, so an operator on the
 * server itself (or through an SSH tunnel) still signs in.
 */
export function sessionCookie(publicUrl: string): SessionCookie {
  const secure = new URL(publicUrl).protocol === 'https:';
  return { name: secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE, secure };
}

const sessions = new WeakMap<FastifyRequest, { session: Session; token: string }>();

/** The session a guarded route's request was authenticated with. */
export function sessionOf(request: FastifyRequest): Session {
  const found = sessions.get(request);
  if (!found) throw new HttpError(401, 'unauthorized', 'Sign in first.');
  return found.session;
}

/** The cookie token a guarded route's request was authenticated with (to check it again later). */
export function sessionTokenOf(request: FastifyRequest): string {
  return sessions.get(request)?.token ?? '';
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
export function sessionGuard(accounts: Accounts, needed: Role | null, cookie: SessionCookie) {
  return async function requireSession(request: FastifyRequest): Promise<void> {
    const token = request.cookies[cookie.name];
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
    sessions.set(request, { session, token: token ?? '' });
  };
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, path /, Secure when PUBLIC_URL is https. */
export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  cookie: SessionCookie,
  maxAgeMs: number,
): void {
  void reply.setCookie(cookie.name, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: cookie.secure,
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  void reply.clearCookie(cookie.name, {
    httpOnly: true,
    sameSite: 'strict',
    secure: cookie.secure,
    path: '/',
  });
}
