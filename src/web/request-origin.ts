import type { FastifyRequest } from 'fastify';

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * A request made on this machine: from a loopback address and not forwarded. A reverse proxy on
 * the same host also connects from loopback, but it adds forwarding headers, so a forwarded request
 * counts as local only when TRUST_PROXY is set and the visitor it names is itself on loopback.
 */
export function isLocal(request: FastifyRequest): boolean {
  const h = request.headers;
  const forwarded = Boolean(h['x-forwarded-for'] || h.forwarded || h['x-real-ip']);
  const socket = request.socket.remoteAddress ?? '';
  // request.ip is the socket's address, or with TRUST_PROXY the visitor a trusted proxy names.
  if (request.ip !== socket) return LOOPBACK_ADDRESSES.has(request.ip);
  return LOOPBACK_ADDRESSES.has(socket) && !forwarded;
}
