import type { ComponentChild } from 'preact';
import { useId, useMemo } from 'preact/hooks';
import { SegmentedMessage } from 'sms-segments-calculator';
import { useI18n } from '../i18n.ts';
import { TextAreaField } from './fields.tsx';

/** The usual typographic characters that force UCS-2, and their plain GSM-7 look-alikes. */
const SIMPLE_EQUIVALENTS: [RegExp, string][] = [
  [/[’‘‚‛]/g, "'"],
  [/«[\s\u00a0\u202f]*/g, '"'],
  [/[\s\u00a0\u202f]*»/g, '"'],
  [/[“”„]/g, '"'],
  [/…/g, '...'],
  [/[–—]/g, '-'],
  [/œ/g, 'oe'],
  [/Œ/g, 'OE'],
  [/[\u00a0\u202f]/g, ' '],
];

export function simplify(text: string): string {
  return SIMPLE_EQUIVALENTS.reduce(
    (result, [pattern, plain]) => result.replace(pattern, plain),
    text,
  );
}

/** The consent SMS text, with what it will cost counted live as it is typed. */
export function SmsEditor(props: {
  value: string;
  onValue: (value: string) => void;
  segmentPriceMicros: number;
  currency: string;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const counterId = useId();
  const message = useMemo(() => new SegmentedMessage(props.value, 'auto'), [props.value]);
  const nonGsm = new Set(message.getNonGsmCharacters());
  const segments = message.segmentsCount;
  const simpler = simplify(props.value);

  return (
    <div class="sms-editor">
      <TextAreaField
        label={t('sms.label')}
        hint={t('sms.hint')}
        rows={5}
        value={props.value}
        onValue={props.onValue}
        describedBy={counterId}
      />
      <p id={counterId} class="sms-counter">
        <span>{i18n.tn('count.characters', message.numberOfCharacters)}</span>
        <span>
          {t('sms.encoding')} <strong data-testid="sms-encoding">{message.encodingName}</strong>
        </span>
        <span>
          <strong data-testid="sms-segments">{segments}</strong>{' '}
          {i18n.tn('count.segmentWord', segments)}
        </span>
        <span>
          {t('sms.cost', {
            cost: i18n.money(segments * props.segmentPriceMicros, props.currency, true),
          })}
        </span>
      </p>
      {message.encodingName === 'UCS-2' ? (
        <div class="sms-warning">
          <p>{t('sms.ucs2')}</p>
          <p class="sms-preview" aria-hidden="true">
            {highlight(message.graphemes, nonGsm)}
          </p>
          <p>{t('sms.culprits', { chars: [...nonGsm].join(' ') })}</p>
          {simpler !== props.value ? (
            <button type="button" class="button" onClick={() => props.onValue(simpler)}>
              {t('sms.simplify')}
            </button>
          ) : null}
          {new SegmentedMessage(simpler, 'auto').encodingName === 'UCS-2' ? (
            <p class="hint">{t('sms.noEquivalent')}</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The text with each UCS-2-forcing character in a <mark>, runs of plain text kept together. */
function highlight(graphemes: string[], culprits: Set<string>) {
  const parts: ComponentChild[] = [];
  let plain = '';
  for (const [index, grapheme] of graphemes.entries()) {
    if (!culprits.has(grapheme)) {
      plain += grapheme;
      continue;
    }
    if (plain) parts.push(plain);
    plain = '';
    parts.push(<mark key={index}>{grapheme}</mark>);
  }
  if (plain) parts.push(plain);
  return parts;
}
