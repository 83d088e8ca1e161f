import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  checkRole,
  DEFAULT_SESSION_POLICY,
  type Session,
  type User,
} from '../../accounts/accounts.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import type { SessionInfo, UserSummary } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { idParam, jsonBody, text } from './input.ts';
import { HttpError } from '../errors.ts';
import { isLocal } from '../request-origin.ts';
import {
  clearSessionCookie,
  secretMatches,
  sessionCookie,
  sessionOf,
  actorOf,
  setSessionCookie,
} from './session.ts';

function summary(user: User): UserSummary {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
}

/** Sign-in, first-run setup, the session and accounts. */
export function authApi(deps: ApiDeps) {
  const { accounts } = deps;
  const cookie = sessionCookie(deps.settings.publicUrl);

  async function info(request: FastifyRequest, session: Session | null): Promise<SessionInfo> {
    const lines = await deps.lines.list();
    const setupNeeded = session ? false : await accounts.setupNeeded();
    return {
      setupNeeded,
      setupCodeNeeded: setupNeeded && !isLocal(request),
      user: session
        ? { id: session.user.id, username: session.user.username, role: session.user.role }
        : null,
      csrfToken: session?.csrfToken ?? null,
      demo: lines.some((l) => l.provider === 'simulator'),
    };
  }

  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    username: string,
    password: string,
  ) {
    const trusted = isLocal(request) || deps.devices.knows(request, username);
    const { token, session } = await accounts.login(username, password, request.ip, trusted);
    setSessionCookie(reply, token, cookie, DEFAULT_SESSION_POLICY.maxAgeMs);
    deps.devices.remember(reply, username);
    return info(request, session);
  }

  return {
    session: async (request: FastifyRequest) => {
      const token = request.cookies[cookie.name];
      return info(request, token ? await accounts.authenticate(token) : null);
    },

    setup: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = jsonBody(request);
      const username = text(body, 'username', { max: 64 });
      const password = text(body, 'password', { max: 1024 });
      // From another machine, the first account needs the code printed at start: otherwise anyone
      // who finds a fresh server first (or a web page, through DNS rebinding) would own it.
      if (!isLocal(request)) {
        const code = text(body, 'setupCode', { max: 200, optional: true });
        if (!secretMatches(code?.trim(), deps.settings.setupCode))
          throw new HttpError(
            403,
            'setup_code_invalid',
            code
              ? 'This setup code is not the one the server printed at start; copy it again from its output.'
              : 'From another machine, creating the first account needs the setup code the server printed when it started (or open the link it printed). On the server itself, open http://localhost instead.',
          );
      }
      await accounts.setup(username, password, request.ip);
      return signIn(request, reply, username, password);
    },

    login: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = jsonBody(request);
      return signIn(
        request,
        reply,
        text(body, 'username', { max: 64 }),
        text(body, 'password', { max: 1024 }),
      );
    },

    logout: async (request: FastifyRequest, reply: FastifyReply) => {
      await accounts.logout(sessionOf(request));
      clearSessionCookie(reply, cookie);
      return reply.status(204).send();
    },

    changePassword: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = jsonBody(request);
      await accounts.changeOwnPassword(
        sessionOf(request),
        text(body, 'currentPassword', { max: 1024 }),
        text(body, 'newPassword', { max: 1024 }),
      );
      return reply.status(204).send();
    },

    listUsers: async () => {
      return (await accounts.list()).map(summary);
    },

    createUser: async (request: FastifyRequest) => {
      const body = jsonBody(request);
      const user = await accounts.create(
        actorOf(request),
        text(body, 'username', { max: 64 }),
        text(body, 'password', { max: 1024 }),
        checkRole(body.role),
      );
      return summary(user);
    },

    updateUser: async (request: FastifyRequest) => {
      const body = jsonBody(request);
      const password = text(body, 'password', { max: 1024, optional: true });
      if (password === undefined && body.role === undefined)
        throw new InvalidInputError('Send a new "role" or "password".');
      const user = await accounts.update(actorOf(request), idParam(request), {
        ...(body.role !== undefined ? { role: checkRole(body.role) } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      return summary(user);
    },

    deleteUser: async (request: FastifyRequest, reply: FastifyReply) => {
      await accounts.remove(actorOf(request), idParam(request));
      return reply.status(204).send();
    },
  };
}
