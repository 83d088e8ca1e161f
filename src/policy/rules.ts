import { InvalidInputError } from '../domain/errors.ts';
import { matchesKeyword } from './text/keyword.ts';

/** An operator rule that matches a pattern rather than one number. */
export interface Rule {
  id: number;
  kind: RuleKind;
  /** A prefix in E.164 ("+33612") or a keyword in normalised form. */
  value: string;
  note: string | null;
  createdAt: number;
  createdBy: string;
}

export type RuleKind = 'block_prefix' | 'allow_prefix' | 'keyword';

/** The rules in force, grouped for matching. Pure. */
export class RuleBook {
  readonly #block: Rule[];
  readonly #allow: Rule[];
  readonly #keywords: Rule[];

  constructor(rules: readonly Rule[]) {
    this.#block = rules.filter((r) => r.kind === 'block_prefix');
    this.#allow = rules.filter((r) => r.kind === 'allow_prefix');
    this.#keywords = rules.filter((r) => r.kind === 'keyword');
  }

  /** The block rule whose prefix the number starts with, if any. */
  blockedPrefix(number: string): Rule | null {
    return this.#block.find((r) => number.startsWith(r.value)) ?? null;
  }

  allowedPrefix(number: string): Rule | null {
    return this.#allow.find((r) => number.startsWith(r.value)) ?? null;
  }

  /** The first keyword rule one of these texts matches. */
  keywordIn(texts: readonly string[]): Rule | null {
    for (const rule of this.#keywords)
      if (texts.some((t) => matchesKeyword(t, rule.value))) return rule;
    return null;
  }
}

/** Checks and normalises an operator's prefix: "+33 6 12" → "+33612". */
export function normalisePrefix(raw: string): string | null {
  const compact = raw.replace(/[\s.\-()]/g, '').replace(/\*$/, '');
  const intl = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+\d{1,14}$/.test(intl) ? intl : null;
}

/** An operator's prefix rule, normalised, or InvalidInputError saying how to write one. */
export function prefixRule(raw: string, field?: string): string {
  const prefix = normalisePrefix(raw);
  if (!prefix)
    throw new InvalidInputError(
      `${JSON.stringify(raw)} is not a prefix; write the start of a number in international format, e.g. +33 6 12.`,
      field ? { field } : {},
    );
  return prefix;
}
