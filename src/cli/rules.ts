import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import {
  checkOperatorText,
  KEYWORD,
  PHONE_NUMBER,
  PREFIX,
  RULE_NOTE,
  withoutForbiddenCharacters,
} from '../domain/operator-text.ts';
import { maskNumber } from '../domain/phone.ts';
import { sealNumber } from '../hotline/seal.ts';
import { normalisePrefix, type RuleKind } from '../policy/rules.ts';
import { keywordRule } from '../policy/text/keyword.ts';
import type { Hotline } from '../main.ts';
import type { NumberList } from '../storage/rules-repo.ts';
import { localTime, withHotline } from './operator.ts';

export const RULE_ACTIONS = [
  'list',
  'block',
  'unblock',
  'allow',
  'unallow',
  'stop',
  'unstop',
  'keyword',
  'remove',
] as const;
type Action = (typeof RULE_ACTIONS)[number];

/** Which list or prefix rule an action works on, and whether it adds or removes. */
const TARGETS: Partial<Record<Action, { list: NumberList; prefix: RuleKind | null; on: boolean }>> =
  {
    block: { list: 'blocked', prefix: 'block_prefix', on: true },
    unblock: { list: 'blocked', prefix: 'block_prefix', on: false },
    allow: { list: 'allowed', prefix: 'allow_prefix', on: true },
    unallow: { list: 'allowed', prefix: 'allow_prefix', on: false },
    stop: { list: 'stop', prefix: null, on: true },
    unstop: { list: 'stop', prefix: null, on: false },
  };

/**
 * `nonmerci rules …`: the blocklist, allowlist and STOP list (numbers, and prefixes written with a
 * trailing *), and keyword rules on inbound texts. Every change is audited.
 */
export async function runRules(
  config: Config,
  cmd: { action: string; value: string | null; note: string | null; actor: string },
  print: (line: string) => void,
): Promise<number> {
  const action = cmd.action as Action;
  if (!(RULE_ACTIONS as readonly string[]).includes(action))
    throw new InvalidInputError(
      `"${cmd.action}" is not a rules command; use ${RULE_ACTIONS.join(', ')}.`,
    );
  if (action !== 'list' && !cmd.value)
    throw new InvalidInputError(`"nonmerci rules ${action}" needs a value; see --help.`);
  const target = TARGETS[action];
  // Checked before the database is opened, with the dashboard's rules (domain/operator-text.ts).
  const value =
    action === 'list' || action === 'remove'
      ? (cmd.value ?? '')
      : checkOperatorText(
          cmd.value ?? '',
          action === 'keyword' ? KEYWORD : cmd.value?.trim().endsWith('*') ? PREFIX : PHONE_NUMBER,
        );
  const keyword = action === 'keyword' ? keywordRule(value) : null;
  const note = cmd.note === null ? null : checkOperatorText(cmd.note, RULE_NOTE) || null;
  return withHotline(config, async (h) => {
    const now = h.clock.now();
    if (action === 'list') {
      await printRules(h, config.timeZone, print);
    } else if (keyword !== null) {
      const rule = await h.rules.add({ kind: 'keyword', value: keyword, note }, cmd.actor, now);
      print(`✓ rule #${rule.id}: texts containing "${rule.value}" get no reply.`);
    } else if (action === 'remove') {
      const id = Number(value.replace(/^#/, ''));
      if (!Number.isInteger(id) || id <= 0)
        throw new InvalidInputError(`"${value}" is not a rule number; see "nonmerci rules".`);
      const rule = await h.rules.remove(id, cmd.actor, now);
      print(`✓ rule #${rule.id} (${rule.kind} ${rule.value}) removed.`);
    } else if (target && value.endsWith('*')) {
      if (!target.prefix)
        throw new InvalidInputError('The STOP list takes whole numbers, not prefixes.');
      const prefix = normalisePrefix(value);
      if (!prefix)
        throw new InvalidInputError(
          `"${value}" is not a prefix; write it in international format with a final *, e.g. +33612*`,
        );
      if (target.on) {
        const rule = await h.rules.add(
          { kind: target.prefix, value: prefix, note },
          cmd.actor,
          now,
        );
        print(
          `✓ rule #${rule.id}: every number starting ${prefix} is ${action === 'block' ? 'blocked' : 'allowed'}.`,
        );
      } else {
        const rule = (await h.rules.list()).find(
          (r) => r.kind === target.prefix && r.value === prefix,
        );
        if (!rule) throw new InvalidInputError(`No ${target.prefix} rule for ${prefix}.`);
        await h.rules.remove(rule.id, cmd.actor, now);
        print(`✓ rule #${rule.id} (${prefix}) removed.`);
      }
    } else if (target) {
      const sealed = sealNumber(h.vault, value);
      const changed = await h.rules.setListed(target.list, sealed, target.on, cmd.actor, now);
      const masked = maskNumber(sealed.number.normalized);
      const listName = { blocked: 'blocklist', allowed: 'allowlist', stop: 'STOP list' }[
        target.list
      ];
      print(
        changed
          ? `✓ ${masked} ${target.on ? 'added to' : 'removed from'} the ${listName}.`
          : `${masked} was already ${target.on ? 'on' : 'off'} the ${listName}; nothing changed.`,
      );
    }
    return 0;
  });
}

async function printRules(h: Hotline, timeZone: string, print: (line: string) => void) {
  const rules = await h.rules.list();
  const titles: Record<RuleKind, string> = {
    block_prefix: 'Blocked prefixes',
    allow_prefix: 'Allowed prefixes',
    keyword: 'Keyword rules (no reply)',
  };
  for (const kind of Object.keys(titles) as RuleKind[]) {
    const mine = rules.filter((r) => r.kind === kind);
    print(`${titles[kind]}: ${mine.length === 0 ? 'none' : ''}`);
    for (const r of mine)
      print(
        withoutForbiddenCharacters(
          `  #${r.id}  ${r.value}${r.note ? `  (${r.note})` : ''}  by ${r.createdBy}, ${localTime(r.createdAt, timeZone)}`,
        ),
      );
  }
  for (const [list, title] of [
    ['blocked', 'Blocked numbers'],
    ['allowed', 'Allowed numbers'],
    ['stop', 'STOP list (never texted)'],
  ] as const) {
    const numbers = await h.rules.listed(list);
    print(`${title}: ${numbers.length === 0 ? 'none' : ''}`);
    for (const n of numbers) print(`  ${h.vault.masked(n.numberEnc)}`);
  }
}
