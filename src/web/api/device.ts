import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretMatches } from './session.ts';

const YEAR_S = 365 * 86_400;

/**
 * Known devices, after OWASP's "device cookies": once a user has signed in on a browser, it keeps
 * a signed cookie for that user name. Sign-in attempts it makes for that user skip the per-address
 * and overall limits (the per-user limit still applies), so a flood from elsewhere, or from the
 * same office address, never locks an operator out of a browser they have used before. The cookie
 * opens nothing by itself: the password is still checked.
 */
export class KnownDevices {
  readonly #key: Buffer;
  readonly #name: string;
  readonly #secure: boolean;

  constructor(publicUrl: string, key: Buffer) {
    this.#key = key;
    this.#secure = new URL(publicUrl).protocol === 'https:';
    this.#name = this.#secure ? '__Host-nonmerci_device' : 'nonmerci_device';
  }

  #sign(username: string): string {
    return createHmac('sha256', this.#key)
      .update(username.trim().toLowerCase())
      .digest('base64url');
  }

  /** After a successful sign-in: this browser is now known for this user. */
  remember(reply: FastifyReply, username: string): void {
    void reply.setCookie(this.#name, this.#sign(username), {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#secure,
      path: '/',
      maxAge: YEAR_S,
    });
  }

  /** Whether the request comes from a browser where `username` signed in before. */
  knows(request: FastifyRequest, username: string): boolean {
    if (!username) return false;
    return secretMatches(request.cookies[this.#name], this.#sign(username));
  }
}
