import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../accounts/accounts.ts';
import { KEYWORD, PHONE_NUMBER, PREFIX, RULE_NOTE } from '../../domain/operator-text.ts';
import { sealNumber } from '../../hotline/seal.ts';
import { prefixRule, type RuleKind } from '../../policy/rules.ts';
import { keywordRule } from '../../policy/text/keyword.ts';
import type { NumberList } from '../../storage/rules-repo.ts';
import type { ListedNumberRow, RuleRow, Rules } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { flag, idParam, jsonBody, oneOf, operatorText, whole } from './input.ts';
import { actorOf } from './session.ts';

const KINDS: readonly RuleKind[] = ['block_prefix', 'allow_prefix', 'keyword'];
const LISTS: readonly NumberList[] = ['blocked', 'allowed', 'stop'];

/** The blocklist, allowlist, STOP list and keyword rules; every change is audited by the store. */
export function rulesApi(deps: ApiDeps) {
  const shown = (stored: string) => {
    const { masked, nickname } = deps.vault.shown(stored);
    return { caller: masked, nickname };
  };

  async function get(): Promise<Rules> {
    const [rules, ...lists] = await Promise.all([
      deps.rules.list(),
      ...LISTS.map((l) => deps.rules.listed(l)),
    ]);
    const rows = (i: number): ListedNumberRow[] =>
      lists[i]!.map((n) => ({
        callerId: Number(n.callerId),
        ...shown(n.numberEnc),
        since: n.since,
      }));
    return {
      rules,
      lists: { blocked: rows(0), allowed: rows(1), stop: rows(2) },
    };
  }

  return {
    get,

    create: async (request: FastifyRequest): Promise<RuleRow> => {
      const body = jsonBody(request);
      const kind = oneOf(body, 'kind', KINDS)!;
      const note = operatorText(body, 'note', RULE_NOTE, true) || null;
      const value =
        kind === 'keyword'
          ? keywordRule(operatorText(body, 'value', KEYWORD), 'value')
          : prefixRule(operatorText(body, 'value', PREFIX), 'value');
      return deps.rules.add({ kind, value, note }, actorOf(request), deps.clock.now());
    },

    remove: async (request: FastifyRequest, reply: FastifyReply) => {
      const id = idParam(request);
      if (!(await deps.rules.list()).some((r) => r.id === id))
        throw new NotFoundError('No such rule.');
      await deps.rules.remove(id, actorOf(request), deps.clock.now());
      return reply.status(204).send();
    },

    setListed: async (request: FastifyRequest): Promise<Rules> => {
      const list = (request.params as { list?: string }).list as NumberList;
      if (!LISTS.includes(list))
        throw new NotFoundError(`There is no "${list}" list; use ${LISTS.join(', ')}.`);
      const body = jsonBody(request);
      const on = flag(body, 'on');
      let number = operatorText(body, 'number', PHONE_NUMBER, true);
      if (number === undefined) {
        const callerId = whole(body, 'callerId', { min: 1, max: Number.MAX_SAFE_INTEGER });
        const caller = await deps.contacts.caller(callerId!);
        if (!caller) throw new NotFoundError('No such caller.');
        number = deps.vault.decrypt(caller.numberEnc);
      }
      await deps.rules.setListed(
        list,
        sealNumber(deps.vault, number),
        on,
        actorOf(request),
        deps.clock.now(),
      );
      return get();
    },
  };
}
