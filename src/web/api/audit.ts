import type { FastifyRequest } from 'fastify';
import type { AuditPage } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { queryNumber } from './input.ts';

/** The audit log, newest first, one page at a time. */
export function auditApi(deps: ApiDeps) {
  return {
    page: async (request: FastifyRequest): Promise<AuditPage> => {
      const before = queryNumber(request, 'before') ?? null;
      const limit = Math.min(Math.max(queryNumber(request, 'limit') ?? 100, 1), 500);
      const entries = await deps.audit(before, limit);
      return { entries, nextBefore: entries.length === limit ? entries.at(-1)!.id : null };
    },
  };
}
