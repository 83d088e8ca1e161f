import type { Language } from '../../domain/types.ts';
import { formatsFor } from './formats.ts';
import { isoUtc } from './times.ts';
import type { BundleSummary } from './types.ts';
import { wordsFor } from './words.ts';

/**
 * chain-head.txt: the state of the hash chain when the bundle was made, short enough to read out
 * over the phone or compare by eye with what `nonmerci evidence verify` prints on the hotline.
 */

const TEXT: Record<
  Language,
  {
    title: string;
    count: string;
    headSeq: string;
    head: string;
    status: string;
    intact: string;
    broken: string;
    generatedAt: string;
  }
> = {
  fr: {
    title: 'Tête de la chaîne du journal nonmerci',
    count: 'Entrées dans la chaîne :',
    headSeq: 'Position de la tête :',
    head: 'Empreinte de la tête (SHA-256) :',
    status: 'Vérification :',
    intact: 'intacte',
    broken: 'ROMPUE',
    generatedAt: 'Produit le :',
  },
  en: {
    title: 'Head of the nonmerci journal chain',
    count: 'Entries in the chain:',
    headSeq: 'Head position:',
    head: 'Head hash (SHA-256):',
    status: 'Verification:',
    intact: 'intact',
    broken: 'BROKEN',
    generatedAt: 'Generated at:',
  },
};

function block(language: Language, summary: BundleSummary): string {
  const t = TEXT[language];
  const { chain } = summary;
  const when = formatsFor(wordsFor(language).locale, summary.timeZone, summary.currency).dateTime(
    summary.generatedAt,
  );
  return [
    t.title,
    '',
    `${t.count} ${chain.count}`,
    `${t.headSeq} ${chain.headSeq}`,
    t.head,
    `  ${chain.head}`,
    `${t.status} ${chain.intact ? t.intact : t.broken}`,
    `  ${chain.verdict}`,
    `${t.generatedAt} ${when} (${isoUtc(summary.generatedAt)})`,
    '',
  ].join('\n');
}

/** chain-head.txt in the report's language, then in English when that is not English. */
export function chainHeadText(summary: BundleSummary): Uint8Array {
  const parts = [block(summary.language, summary)];
  if (summary.language !== 'en') parts.push(block('en', summary));
  return new TextEncoder().encode(parts.join('\n'));
}
