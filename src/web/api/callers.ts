import type { FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../domain/errors.ts';
import { sealNumber } from '../../hotline/seal.ts';
import {
  CALLER_DECISIONS,
  type CallerCursor,
  type CallerFilter,
  type CallerGroupRecord,
} from '../../storage/callers-repo.ts';
import type { BulkRequest, BulkResult, CallerLine, CallerListPage, Label } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { jsonBody, oneOf, query, queryNumber } from './input.ts';
import { callerMatches, parseSearch, SEARCH_SCAN, type Search } from './search.ts';
import { actorOf } from './session.ts';
import { shownCaller } from './shown-caller.ts';

const FIRST_WORDS = 60;
const MAX_BULK = 500;
const BULK_ACTIONS: readonly BulkRequest['action'][] = [
  'block',
  'unblock',
  'allow',
  'disallow',
  'evidence',
  'unevidence',
];

/** "lastAt.callerId" → the cursor, or a 400 saying what `after` should be. */
function parseCursor(raw: string | undefined): CallerCursor | null {
  if (raw === undefined) return null;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(raw);
  if (!m)
    throw new InvalidInputError('"after" must be the "next" value of the previous page.', {
      field: 'after',
    });
  return { lastAt: Number(m[1]), callerId: Number(m[2]) };
}

const afterCursor = (g: CallerGroupRecord, c: CallerCursor) =>
  g.lastAt < c.lastAt || (g.lastAt === c.lastAt && g.callerId < c.callerId);

/** Callers, not rows: the contacts grouped by caller, searched, filtered and acted on in bulk. */
export function callersApi(deps: ApiDeps) {
  function filterOf(request: FastifyRequest): CallerFilter {
    const decision = query(request, 'decision');
    if (decision !== undefined && !CALLER_DECISIONS.includes(decision as never))
      throw new InvalidInputError(`"decision" must be one of: ${CALLER_DECISIONS.join(', ')}.`, {
        field: 'decision',
      });
    const blocked = query(request, 'blocked');
    if (blocked !== undefined && blocked !== 'yes' && blocked !== 'no')
      throw new InvalidInputError('"blocked" must be yes or no.', { field: 'blocked' });
    const lineId = queryNumber(request, 'line');
    const from = queryNumber(request, 'from');
    const to = queryNumber(request, 'to');
    return {
      ...(lineId !== undefined ? { lineId } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(decision !== undefined ? { decision: decision as CallerFilter['decision'] } : {}),
      ...(blocked !== undefined ? { blocked: blocked === 'yes' } : {}),
    };
  }

  /** The callers passing a search: scanned in memory, since numbers are only stored encrypted. */
  async function searched(filter: CallerFilter, search: Search, cursor: CallerCursor | null) {
    const [groups, worded] = await Promise.all([
      deps.callers.groups(filter, null, SEARCH_SCAN),
      search.kind === 'words' ? deps.callers.withWords(filter, search.words) : null,
    ]);
    return groups.filter((g) => {
      if (cursor && !afterCursor(g, cursor)) return false;
      if (worded?.has(g.callerId)) return true;
      return callerMatches(deps.vault, g, search);
    });
  }

  async function linesOf(groups: CallerGroupRecord[], lineId?: number): Promise<CallerLine[]> {
    const latest = await deps.callers.latest(
      groups.map((g) => g.callerId),
      lineId,
    );
    return groups.map((g) => {
      const { text, reply } = latest.get(g.callerId)!;
      const labels = (text?.labels ?? '').split(',').filter(Boolean) as Label[];
      const hidden = text !== null && labels.length > 0;
      return {
        callerId: g.callerId,
        ...shownCaller(deps.vault, g.numberType, g.numberEnc),
        contacts: g.contacts,
        calls: g.calls,
        texts: g.texts,
        lastAt: g.lastAt,
        evidence: g.evidence,
        blocked: g.blocked,
        allowed: g.allowed,
        firstWords: text && !hidden ? firstWords(text.body) : null,
        hidden,
        labels,
        reply,
      };
    });
  }

  async function numberOf(callerId: number): Promise<string | null> {
    const caller = await deps.contacts.caller(callerId);
    if (!caller || caller.numberType === 'withheld') return null;
    return deps.vault.decrypt(caller.numberEnc);
  }

  function ids(body: Record<string, unknown>): number[] {
    const raw = body.ids;
    if (
      !Array.isArray(raw) ||
      raw.length === 0 ||
      raw.length > MAX_BULK ||
      !raw.every((id) => Number.isSafeInteger(id) && (id as number) > 0)
    )
      throw new InvalidInputError(`"ids" must list from 1 to ${MAX_BULK} caller ids.`, {
        field: 'ids',
      });
    return [...new Set(raw as number[])];
  }

  return {
    list: async (request: FastifyRequest): Promise<CallerListPage> => {
      const filter = filterOf(request);
      const cursor = parseCursor(query(request, 'after'));
      const limit = Math.max(1, Math.min(queryNumber(request, 'limit') ?? 50, 200));
      const search = parseSearch(query(request, 'q'));
      const groups = search
        ? (await searched(filter, search, cursor)).slice(0, limit + 1)
        : await deps.callers.groups(filter, cursor, limit + 1);
      const page = groups.slice(0, limit);
      const last = page.at(-1);
      return {
        callers: await linesOf(page, filter.lineId),
        next: groups.length > limit && last ? `${last.lastAt}.${last.callerId}` : null,
      };
    },

    bulk: async (request: FastifyRequest): Promise<BulkResult> => {
      const body = jsonBody(request);
      const action = oneOf(body, 'action', BULK_ACTIONS)!;
      const actor = actorOf(request);
      const result: BulkResult = { done: 0, skipped: [] };
      for (const callerId of ids(body)) {
        const now = deps.clock.now();
        if (action === 'evidence' || action === 'unevidence') {
          await deps.callers.setEvidence(callerId, action === 'evidence', actor, now);
          result.done++;
          continue;
        }
        const number = await numberOf(callerId);
        if (number === null) {
          result.skipped.push({ callerId, why: 'withheld' });
          continue;
        }
        const list = action === 'block' || action === 'unblock' ? 'blocked' : 'allowed';
        const on = action === 'block' || action === 'allow';
        await deps.rules.setListed(list, sealNumber(deps.vault, number), on, actor, now);
        result.done++;
      }
      return result;
    },

    /** Erases what the law allows of each caller; hostile callers' records stay as evidence. */
    forget: async (request: FastifyRequest): Promise<BulkResult> => {
      const result: BulkResult = { done: 0, skipped: [] };
      for (const callerId of ids(jsonBody(request))) {
        const number = await numberOf(callerId);
        if (number === null) {
          result.skipped.push({ callerId, why: 'withheld' });
          continue;
        }
        const erased = await deps.subjects.erase(number, actorOf(request));
        if (erased.kept.contacts > 0 || erased.callerRow === 'kept')
          result.skipped.push({ callerId, why: 'kept' });
        else result.done++;
      }
      return result;
    },
  };
}

/** The first words of a text, cut at a word boundary. */
function firstWords(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat.length <= FIRST_WORDS) return flat;
  const cut = flat.slice(0, FIRST_WORDS);
  const space = cut.lastIndexOf(' ');
  return `${(space > FIRST_WORDS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
