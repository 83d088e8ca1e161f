import type { FastifyReply, FastifyRequest } from 'fastify';
import { maskNumber } from '../../domain/phone.ts';
import type { SubjectExport } from '../../privacy/subject.ts';
import type { PrivacyEraseResult } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { jsonBody, text } from './input.ts';
import { actorOf } from './session.ts';

/** A data subject's rights, exercised by an admin: export or erase everything about a number. */
export function privacyApi(deps: ApiDeps) {
  const number = (request: FastifyRequest) => text(jsonBody(request), 'number', { max: 40 });

  return {
    /** Everything held about the number, as a JSON download. */
    export: async (request: FastifyRequest, reply: FastifyReply): Promise<SubjectExport> => {
      const doc = await deps.subjects.export(number(request), actorOf(request));
      void reply
        .header('content-disposition', `attachment; filename="${fileName(doc)}"`)
        .header('cache-control', 'no-store');
      return doc;
    },

    erase: async (request: FastifyRequest): Promise<PrivacyEraseResult> => {
      const r = await deps.subjects.erase(number(request), actorOf(request));
      return {
        number: r.number,
        found: r.found,
        erased: r.erased,
        kept: r.kept,
        keptBecause: r.keptBecause,
      };
    },
  };
}

/** "nonmerci-privacy-3361xxxx78-2026-11-01.json": the masked number, safe in any file system. */
function fileName(doc: SubjectExport): string {
  const masked = maskNumber(doc.number).replace(/^\+/, '').replaceAll('*', 'x');
  return `nonmerci-privacy-${masked.replace(/[^0-9x]/g, '')}-${doc.generatedAt.slice(0, 10)}.json`;
}
