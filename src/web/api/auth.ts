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
import {
  clearSessionCookie,
  SESSION_COOKIE,
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
  // The cookie is Secure when the dashboard is reached at its public HTTPS address.
  const publicHost = new URL(deps.settings.publicUrl);
  const secure = (request: FastifyRequest) =>
    publicHost.protocol === 'https:' && request.headers.host === publicHost.host;

  async function info(session: Session | null): Promise<SessionInfo> {
    const lines = await deps.lines.list();
    return {
      setupNeeded: session ? false : await accounts.setupNeeded(),
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
    const { token, session } = await accounts.login(username, password);
    setSessionCookie(reply, token, {
      secure: secure(request),
      maxAgeMs: DEFAULT_SESSION_POLICY.maxAgeMs,
    });
    return info(session);
  }

  return {
    session: async (request: FastifyRequest) => {
      const token = request.cookies[SESSION_COOKIE];
      return info(token ? await accounts.authenticate(token) : null);
    },

    setup: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = jsonBody(request);
      const username = text(body, 'username', { max: 64 });
      const password = text(body, 'password', { max: 1024 });
      await accounts.setup(username, password);
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
      clearSessionCookie(reply, secure(request));
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
