import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../domain/errors.ts';
import { parseLocalTime } from '../../domain/local-time.ts';
import { LANGUAGES } from '../../domain/types.ts';
import type { EvidenceHold } from '../../storage/evidence-holds-repo.ts';
import type {
  ChainStatus,
  EvidenceHoldRow,
  EvidenceOverview,
  FilingOrganisation,
} from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { idParam, jsonBody, oneOf, text, type Json } from './input.ts';
import { actorOf } from './session.ts';

/** Evidence for the authorities (admins): chain check, bundle export, periods held, release. */
export function evidenceApi(deps: ApiDeps) {
  const time = (body: Json, field: string): number => {
    const at = parseLocalTime(text(body, field, { max: 40 }), deps.settings.timeZone);
    if (at === null)
      throw new InvalidInputError(
        `"${field}" must be a date and time such as 2026-11-01T16:00 (local time) or 2026-11-01T15:00Z.`,
        { field },
      );
    return at;
  };
  const lineOf = async (body: Json): Promise<number | null> => {
    const raw = body.lineId;
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw <= 0)
      throw new InvalidInputError('"lineId" must be a line id or null.', { field: 'lineId' });
    if (!(await deps.lines.findById(raw)))
      throw new InvalidInputError(`There is no line ${raw}.`, { field: 'lineId' });
    return raw;
  };
  const period = (body: Json) => {
    const from = time(body, 'from');
    const to = time(body, 'to');
    if (to <= from) throw new InvalidInputError('"to" must come after "from".', { field: 'to' });
    return { from, to };
  };

  return {
    organisation: async (): Promise<FilingOrganisation> =>
      (await deps.organisation.get()) ?? { name: '', address: '', contact: '' },

    saveOrganisation: async (request: FastifyRequest): Promise<FilingOrganisation> => {
      const body = jsonBody(request);
      const organisation = {
        name: text(body, 'name', { max: 200 }).trim(),
        address: text(body, 'address', { max: 500 }).trim(),
        contact: text(body, 'contact', { max: 300 }).trim(),
      };
      if (!organisation.name)
        throw new InvalidInputError("Write the organisation's name.", { field: 'name' });
      await deps.organisation.save(organisation, actorOf(request), deps.clock.now());
      return organisation;
    },

    overview: async (): Promise<EvidenceOverview> => {
      const [holds, status] = await Promise.all([deps.holds.active(), deps.privacyStatus()]);
      return { holds: holds.map(holdRow), ...status };
    },

    verify: async (): Promise<ChainStatus> => {
      const v = await deps.evidence.verify();
      return {
        checkedAt: deps.clock.now(),
        verdict: v.intact
          ? {
              intact: true,
              count: v.count,
              head: v.head,
              headSeq: v.headSeq,
              erased: v.erased,
              pending: v.pending,
            }
          : { intact: false, seq: v.seq, problem: v.problem, message: v.message },
      };
    },

    export: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = jsonBody(request);
      const { from, to } = period(body);
      const lineId = await lineOf(body);
      const language = oneOf(body, 'language', LANGUAGES, true);
      const result = await deps.evidence.export({
        from,
        to,
        lineId,
        actor: actorOf(request),
        ...(language ? { language } : {}),
      });
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${result.fileName}"`)
        .header('cache-control', 'no-store')
        .header('x-manifest-sha256', result.manifestSha256)
        .send(Buffer.from(result.zip));
    },

    hold: async (request: FastifyRequest): Promise<EvidenceHoldRow> => {
      const body = jsonBody(request);
      const { from, to } = period(body);
      const lineId = await lineOf(body);
      const note = text(body, 'note', { max: 500, optional: true })?.trim() || null;
      const id = await deps.holds.hold({
        kind: 'flagged',
        from,
        to,
        lineId,
        note,
        actor: actorOf(request),
        now: deps.clock.now(),
      });
      const created = (await deps.holds.active()).find((h) => h.id === id)!;
      return holdRow(created);
    },

    release: async (request: FastifyRequest, reply: FastifyReply) => {
      await deps.holds.release(idParam(request), actorOf(request), deps.clock.now());
      return reply.status(204).send();
    },

    releaseCaller: async (request: FastifyRequest, reply: FastifyReply) => {
      const id = idParam(request);
      const caller = await deps.contacts.caller(id);
      if (!caller) throw new InvalidInputError(`There is no caller ${id}.`, { field: 'id' });
      const masked =
        caller.numberType === 'withheld' ? 'withheld' : deps.vault.masked(caller.numberEnc);
      await deps.holds.releaseCaller(id, actorOf(request), deps.clock.now(), masked);
      return reply.status(204).send();
    },
  };
}

function holdRow(h: EvidenceHold): EvidenceHoldRow {
  return {
    id: h.id,
    kind: h.kind,
    from: h.from,
    to: h.to,
    lineId: h.lineId,
    lineNumber: h.lineNumber,
    note: h.note,
    createdAt: h.createdAt,
    createdBy: h.createdBy,
  };
}
