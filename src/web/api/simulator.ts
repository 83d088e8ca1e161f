import { speakableText } from '../../domain/messages.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../accounts/accounts.ts';
import { InvalidInputError } from '../../domain/errors.ts';
import { classifyNumber, toE164 } from '../../domain/phone.ts';
import type { Line } from '../../domain/types.ts';
import { smsCost } from '../../policy/cost.ts';
import type { SimulatedContactResult, SimulatorInbox } from './contract.ts';
import type { ApiDeps } from './deps.ts';
import { jsonBody, oneOf, query, queryNumber, text, whole } from './input.ts';

/**
 * The dashboard's pretend phone: calls and texts a simulator line through the same intake as a
 * provider's webhook (the operator is signed in, so no signature is involved), and reads what the
 * simulated network delivered back to that phone.
 */
export function simulatorApi(deps: ApiDeps) {
  async function simLine(id: number): Promise<Line> {
    const line = await deps.lines.findById(id);
    if (!line) throw new NotFoundError('No such line.');
    if (line.provider !== 'simulator')
      throw new InvalidInputError(
        `Line ${line.number} uses ${line.provider}: the simulator only drives simulator lines, never a real network.`,
      );
    return line;
  }

  function phone(raw: string): string {
    const e164 = toE164(raw, 'FR');
    if (!e164 || classifyNumber(e164).type === 'invalid')
      throw new InvalidInputError(`"${raw}" is not a phone number, e.g. 06 12 34 56 78.`, {
        field: 'from',
      });
    return e164;
  }

  return {
    contact: async (request: FastifyRequest): Promise<SimulatedContactResult> => {
      const body = jsonBody(request);
      const line = await simLine(whole(body, 'lineId', { min: 1, max: Number.MAX_SAFE_INTEGER })!);
      const kind = oneOf(body, 'kind', ['call', 'text'] as const)!;
      const from = phone(text(body, 'from', { max: 40 }));
      const message = kind === 'text' ? text(body, 'body', { max: 1600 }) : null;
      if (message !== null && !message.trim()) throw new InvalidInputError('Write a text to send.');
      const { result, answer } = await deps.intake.receive('simulator', {
        kind,
        from,
        to: line.number,
        providerSid: `SIM${kind === 'call' ? 'CA' : 'SM'}${randomUUID().replaceAll('-', '')}`,
        body: message,
      });
      const reply = await deps.replyLookup.latestFor(
        line.id,
        deps.vault.blindIndex(classifyNumber(from).normalized),
      );
      return {
        voice: !answer
          ? null
          : answer.kind === 'say'
            ? // What a caller would hear: the same cleaning as the TwiML a real call gets.
              {
                kind: 'say',
                text: speakableText(answer.text, line.language),
                language: answer.speechLanguage,
              }
            : answer,
        outcome: result.outcome,
        replyDueAt: result.replyId !== null && reply?.id === result.replyId ? reply.dueAt : null,
      };
    },

    inbox: async (request: FastifyRequest): Promise<SimulatorInbox> => {
      const line = await simLine(queryNumber(request, 'lineId') ?? 0);
      const from = phone(query(request, 'from') ?? '');
      const [messages, reply] = await Promise.all([
        deps.simOutbox.listTo(from, deps.clock.now() - 7 * 86_400_000),
        deps.replyLookup.latestFor(line.id, deps.vault.blindIndex(classifyNumber(from).normalized)),
      ]);
      return {
        messages: messages.map((m) => ({
          at: m.createdAt,
          body: m.body,
          segments: smsCost(m.body, 0).segments,
        })),
        reply: reply
          ? {
              id: reply.id,
              state: reply.state,
              reason: reply.reason,
              detail: reply.detail,
              dueAt: reply.dueAt,
              sentAt: null,
              costMicros: null,
              reportedPrice: null,
            }
          : null,
      };
    },
  };
}
