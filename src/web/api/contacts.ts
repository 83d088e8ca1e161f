import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../accounts/accounts.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import { sealNumber } from '../../hotline/seal.ts';
import type { ContactRecord } from '../../storage/contacts-repo.ts';
import type {
  CallerHistory,
  ContactPage,
  ContactRow,
  ContactText,
  Label,
  RuleRow,
} from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { shownCaller } from './shown-caller.ts';
import { flag, idParam, jsonBody, query, queryNumber } from './input.ts';
import { callerMatches, parseSearch, SEARCH_SCAN, type Search } from './search.ts';
import { actorOf } from './session.ts';

/** Callers a search by digits or nickname may find at most (the newest, as the list is). */
const MAX_FOUND_CALLERS = 10_000;

const LABELS: readonly string[] = ['insult', 'threat', 'sexual', 'spam', 'test', 'mockery'];

/** Contacts, the caller history behind them, evidence marks and blocking. */
export function contactsApi(deps: ApiDeps) {
  const shown = (numberType: string, enc: string) => shownCaller(deps.vault, numberType, enc);

  function row(c: ContactRecord): ContactRow {
    const labels = (c.labels ?? '').split(',').filter(Boolean) as Label[];
    const hidden = c.body !== null && labels.length > 0;
    return {
      id: c.id,
      at: c.at,
      lineId: c.lineId,
      lineNumber: c.lineNumber,
      kind: c.kind as ContactRow['kind'],
      callerId: c.callerId,
      ...shown(c.numberType, c.numberEnc),
      body: hidden ? null : c.body,
      hidden,
      labels,
      outcome: c.outcome,
      reply: c.reply,
      evidence: c.evidenceAt !== null,
      quoted: c.quotedAt !== null,
      callerBlocked: c.callerBlocked,
    };
  }

  async function contact(request: FastifyRequest): Promise<ContactRecord> {
    const found = await deps.contacts.find(idParam(request));
    if (!found) throw new NotFoundError('No such contact.');
    return found;
  }

  async function history(id: number): Promise<CallerHistory> {
    const caller = await deps.contacts.caller(id);
    if (!caller) throw new NotFoundError('No such caller.');
    const [contacts, replies] = await Promise.all([
      deps.contacts.list({ callerId: id, limit: 200 }),
      deps.contacts.repliesOf(id),
    ]);
    return {
      id: caller.id,
      ...shown(caller.numberType, caller.numberEnc),
      numberType: caller.numberType,
      country: caller.country,
      firstSeenAt: caller.firstSeenAt,
      lastSeenAt: caller.lastSeenAt,
      contactCount: caller.contactCount,
      blocked: caller.blocked,
      allowed: caller.allowed,
      optedOutAt: caller.optedOutAt,
      contacts: contacts.map(row),
      replies: replies.map(({ signals, ...r }) => ({
        ...r,
        signals: signals ? (JSON.parse(signals) as Record<string, unknown>) : null,
      })),
    };
  }

  /** The callers whose number or nickname answers the search (numbers are stored encrypted). */
  async function callersFound(
    search: Search,
    f: { lineId?: number | undefined; from?: number | undefined; to?: number | undefined },
  ): Promise<number[]> {
    if (search.kind === 'words' && search.nickname === null) return [];
    const filter = {
      ...(f.lineId !== undefined ? { lineId: f.lineId } : {}),
      ...(f.from !== undefined ? { from: f.from } : {}),
      ...(f.to !== undefined ? { to: f.to } : {}),
    };
    const groups = await deps.callers.groups(filter, null, SEARCH_SCAN);
    return (
      groups
        .filter((g) => callerMatches(deps.vault, g, search))
        // The most recent callers first: within what one query may list (SQLite takes 32,766).
        .slice(0, MAX_FOUND_CALLERS)
        .map((g) => g.callerId)
    );
  }

  return {
    list: async (request: FastifyRequest): Promise<ContactPage> => {
      const label = query(request, 'label');
      if (label && label !== 'clean' && label !== 'any' && !LABELS.includes(label))
        throw new InvalidInputError(`"${label}" is not a classification.`, { field: 'label' });
      const replied = query(request, 'replied');
      const reason = query(request, 'reason');
      if (reason && !/^[a-z_]{2,40}$/.test(reason))
        throw new InvalidInputError(`"${reason}" is not a reply reason.`, { field: 'reason' });
      const limit = Math.min(queryNumber(request, 'limit') ?? 50, 200);
      const lineId = queryNumber(request, 'line');
      const from = queryNumber(request, 'from');
      const to = queryNumber(request, 'to');
      const callerId = queryNumber(request, 'caller');
      const before = queryNumber(request, 'before');
      const search = parseSearch(query(request, 'q'));
      const records = await deps.contacts.list({
        ...(lineId !== undefined ? { lineId } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(callerId !== undefined ? { callerId } : {}),
        ...(before !== undefined ? { before } : {}),
        ...(label ? { label } : {}),
        ...(replied === 'yes' ? { replied: true } : replied === 'no' ? { replied: false } : {}),
        ...(reason ? { reason } : {}),
        ...(query(request, 'evidence') === 'yes' ? { evidence: true } : {}),
        ...(search
          ? {
              search: {
                words: search.kind === 'words' ? search.words : null,
                callerIds: await callersFound(search, { lineId, from, to }),
              },
            }
          : {}),
        limit: Math.max(limit, 1),
      });
      return {
        contacts: records.map(row),
        nextBefore: records.length === Math.max(limit, 1) ? records.at(-1)!.id : null,
      };
    },

    /** A withheld text, read on purpose by an operator. */
    text: async (request: FastifyRequest): Promise<ContactText> => {
      const found = await contact(request);
      if (found.body === null) throw new NotFoundError('This contact has no text.');
      return { body: found.body };
    },

    evidence: async (request: FastifyRequest): Promise<ContactRow> => {
      const on = flag(jsonBody(request), 'evidence');
      const found = await contact(request);
      await deps.contacts.setEvidence(found.id, on, actorOf(request), deps.clock.now());
      return row((await deps.contacts.find(found.id)) ?? found);
    },

    /** Chooses a text to be quoted in the complaint report, or takes it out. */
    quote: async (request: FastifyRequest): Promise<ContactRow> => {
      const on = flag(jsonBody(request), 'quoted');
      const found = await contact(request);
      if (found.kind !== 'text' || found.body === null)
        throw new InvalidInputError(
          'Only a text can be quoted in the report, and this one holds no text (a call, or a text erased by the retention period).',
        );
      await deps.contacts.setQuoted(found.id, on, actorOf(request), deps.clock.now());
      return row((await deps.contacts.find(found.id)) ?? found);
    },

    caller: (request: FastifyRequest) => history(idParam(request)),

    block: async (request: FastifyRequest): Promise<CallerHistory> => {
      const on = flag(jsonBody(request), 'blocked');
      const id = idParam(request);
      const caller = await deps.contacts.caller(id);
      if (!caller) throw new NotFoundError('No such caller.');
      if (caller.numberType === 'withheld')
        throw new InvalidInputError(
          'A withheld number cannot be blocked; there is no number to match.',
        );
      const sealed = sealNumber(deps.vault, deps.vault.decrypt(caller.numberEnc));
      await deps.rules.setListed('blocked', sealed, on, actorOf(request), deps.clock.now());
      return history(id);
    },

    /**
     * Blocks the caller's range of 100 numbers (all his digits but the last two), the way raiders'
     * numbers often come in batches; the operator never needs to read the number to do it.
     */
    blockRange: async (request: FastifyRequest): Promise<RuleRow> => {
      const id = idParam(request);
      const caller = await deps.contacts.caller(id);
      if (!caller) throw new NotFoundError('No such caller.');
      const number = caller.numberType === 'withheld' ? '' : deps.vault.decrypt(caller.numberEnc);
      if (!/^\+\d{8,15}$/.test(number))
        throw new InvalidInputError('This caller has no number whose range could be blocked.');
      const prefix = number.slice(0, -2);
      const existing = (await deps.rules.list()).find(
        (r) => r.kind === 'block_prefix' && prefix.startsWith(r.value),
      );
      if (existing) return existing;
      const { nickname } = shownCaller(deps.vault, caller.numberType, caller.numberEnc);
      return deps.rules.add(
        { kind: 'block_prefix', value: prefix, note: nickname },
        actorOf(request),
        deps.clock.now(),
      );
    },
  };
}
