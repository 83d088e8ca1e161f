import { useId, useState } from 'preact/hooks';
import type { LineDetail, UpdateLineRequest } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { durationInput, MINUTE_MS, parseCountries, parseTypedDuration } from '../units.ts';

const HOUR_MS = 60 * MINUTE_MS;
import { ErrorAlert, Status } from './alerts.tsx';
import { CopyField } from './copy-field.tsx';
import { ProviderCheck } from './provider-check.tsx';
import { SelectField, TextAreaField, TextField } from './fields.tsx';
import { SmsEditor } from './sms-editor.tsx';
import { VoiceRecording } from './voice-recording.tsx';

/** What each address is called in the provider's console, as written there. */
const CONSOLE_NAMES: Record<string, Record<string, string>> = {
  twilio: { voice: 'A call comes in', sms: 'A message comes in' },
  telnyx: { voice: 'Voice URL', messaging: 'Webhook URL' },
  vonage: {
    answer: 'Answer URL',
    event: 'Event URL',
    inbound: 'Inbound URL',
    status: 'Status URL',
  },
};

/** A sentence whose [[…]] parts are a console's own words, marked as English. */
function consoleText(text: string) {
  return text.split(/\[\[(.+?)\]\]/).map((part, i) =>
    i % 2 ? (
      <span lang="en" key={i}>
        {part}
      </span>
    ) : (
      part
    ),
  );
}

/** The editable settings of one line, as typed (durations with their unit: "20m", "90j"). */
function draftOf(line: LineDetail, lang: string) {
  return {
    language: line.language,
    voiceText: line.voiceText,
    replyText: line.replyText,
    delay: durationInput(line.delayMs, lang),
    cooldown: durationInput(line.cooldownMs, lang),
    countries: line.allowedCountries.join(', '),
  };
}

/** One line's messages and rules, saved together. */
export function LineForm(props: { line: LineDetail }) {
  const i18n = useI18n();
  const { t } = i18n;
  const titleId = useId();
  const [line, setLine] = useState(props.line);
  const [draft, setDraft] = useState(() => draftOf(props.line, i18n.lang));
  const action = useAction();
  const set = (field: keyof typeof draft) => (value: string) =>
    setDraft((current) => ({ ...current, [field]: value }));

  const save = (event: Event) => {
    event.preventDefault();
    const delay = parseTypedDuration(draft.delay);
    const cooldown = parseTypedDuration(draft.cooldown);
    const countries = parseCountries(draft.countries);
    if (!draft.voiceText.trim() && !line.voiceAudioUrl) return action.fail(t('lines.voiceMissing'));
    if (!draft.replyText.trim()) return action.fail(t('lines.replyMissing'));
    if (delay === null) return action.fail(t('lines.delayInvalid'));
    if (cooldown === null) return action.fail(t('lines.cooldownInvalid'));
    if (cooldown < HOUR_MS) return action.fail(t('lines.cooldownShort'));
    if (!countries?.length) return action.fail(t('lines.countriesInvalid'));
    const request: UpdateLineRequest = {
      language: draft.language,
      voiceText: draft.voiceText,
      replyText: draft.replyText,
      delayMs: delay,
      cooldownMs: cooldown,
      allowedCountries: countries,
    };
    void action.run(async () => {
      const saved = await api.patch<LineDetail>(`/api/lines/${line.id}`, request);
      setLine(saved);
      setDraft(draftOf(saved, i18n.lang));
      return t('lines.saved', { number: saved.number });
    });
  };

  return (
    <section class="section line-form" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('lines.lineTitle', { number: line.number })}</h2>
      <dl class="facts">
        <div>
          <dt>{t('line.provider')}</dt>
          <dd>{words(i18n, 'provider', line.provider)}</dd>
        </div>
      </dl>
      <form class="form" onSubmit={save} noValidate>
        <SelectField
          label={t('lines.language')}
          hint={t('lines.languageHint')}
          value={draft.language}
          onValue={(value) => setDraft({ ...draft, language: value === 'en' ? 'en' : 'fr' })}
          choices={[
            { value: 'fr', label: t('lines.languageFr') },
            { value: 'en', label: t('lines.languageEn') },
          ]}
        />
        <fieldset class="fieldset">
          <legend>{t('lines.voice')}</legend>
          <TextAreaField
            label={t('lines.voiceText')}
            hint={t(line.voiceAudioUrl ? 'lines.voiceTextUnused' : 'lines.voiceTextHint')}
            value={draft.voiceText}
            onValue={set('voiceText')}
          />
          <VoiceRecording line={line} onChange={setLine} />
        </fieldset>
        <fieldset class="fieldset">
          <legend>{t('lines.reply')}</legend>
          <SmsEditor
            value={draft.replyText}
            onValue={set('replyText')}
            segmentPriceMicros={line.segmentPriceMicros}
            currency={line.currency}
          />
        </fieldset>
        <fieldset class="fieldset">
          <legend>{t('lines.rules')}</legend>
          <div class="field-row">
            <TextField
              label={t('lines.delay')}
              hint={t('lines.delayHint')}
              value={draft.delay}
              onValue={set('delay')}
            />
            <TextField
              label={t('lines.cooldown')}
              hint={t('lines.cooldownHint')}
              value={draft.cooldown}
              onValue={set('cooldown')}
            />
          </div>
          <TextField
            label={t('lines.countries')}
            hint={t('lines.countriesHint')}
            autoCapitalize="characters"
            value={draft.countries}
            onValue={set('countries')}
          />
        </fieldset>
        <ErrorAlert error={action.error} />
        <Status message={action.done} />
        <button type="submit" class="button button-primary button-large" disabled={action.busy}>
          {t('lines.save')}
        </button>
      </form>
      {line.provider === 'simulator' ? (
        <p class="hint webhooks">{t('lines.webhooksOther')}</p>
      ) : (
        <div class="webhooks">
          <h3>{t('lines.webhooks', { provider: words(i18n, 'provider', line.provider) })}</h3>
          {line.providerConfigured ? null : (
            <p class="alert alert-warning">{words(i18n, 'lines.providerMissing', line.provider)}</p>
          )}
          <p>{consoleText(words(i18n, 'lines.webhooksHow', line.provider))}</p>
          {line.webhooks.map((w) => (
            <CopyField
              key={w.name}
              label={words(i18n, 'lines.webhook', w.purpose)}
              consoleName={CONSOLE_NAMES[line.provider]?.[w.name]}
              value={w.url}
            />
          ))}
          <ProviderCheck line={line} />
        </div>
      )}
    </section>
  );
}
