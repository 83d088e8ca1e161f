import { useState } from 'preact/hooks';
import type {
  ContactKind,
  LineDetail,
  SimulatedContactRequest,
  SimulatedContactResult,
} from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { ErrorAlert, Loading, Status } from '../components/alerts.tsx';
import { SelectField, TextAreaField, TextField } from '../components/fields.tsx';
import { Page } from '../components/page.tsx';
import { SimulatorInboxView } from '../components/simulator-inbox.tsx';
import { useResource } from '../data.ts';
import { words } from '../describe.ts';
import { useI18n, type I18n } from '../i18n.ts';

/** A French mobile number from ARCEP's range reserved for fiction: never a real person's. */
function randomCaller(): string {
  const pair = () => String(Math.floor(Math.random() * 100)).padStart(2, '0');
  return `06 39 98 ${pair()} ${pair()}`;
}

/** Call or text a simulated line as a pretend caller, and watch what comes back. */
export function SimulatorPage() {
  const { t } = useI18n();
  const lines = useResource<LineDetail[]>('/api/lines');
  const simulated = lines.data?.filter((line) => line.provider === 'simulator') ?? [];
  return (
    <Page title={t('sim.title')} intro={t('sim.intro')}>
      <ErrorAlert error={lines.error} />
      {lines.loading && !lines.data ? <Loading /> : null}
      {lines.data && !simulated.length ? <p>{t('sim.noLine')}</p> : null}
      {simulated.length ? <Phone lines={simulated} /> : null}
    </Page>
  );
}

/** The last call or text, whose answer the inbox then follows. */
interface Sent {
  kind: ContactKind;
  value: SimulatedContactResult;
  lineId: number;
  from: string;
}

function Phone({ lines }: { lines: LineDetail[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [lineId, setLineId] = useState(lines[0]?.id ?? 0);
  const [from, setFrom] = useState(randomCaller);
  const [text, setText] = useState('');
  const [result, setResult] = useState<Sent | null>(null);
  const action = useAction();

  const send = (kind: ContactKind) => {
    if (!from.trim()) return action.fail(t('sim.fromMissing'));
    if (kind === 'text' && !text.trim()) return action.fail(t('sim.textMissing'));
    const request: SimulatedContactRequest = {
      lineId,
      from: from.trim(),
      kind,
      ...(kind === 'text' ? { body: text } : {}),
    };
    void action.run(async () => {
      const value = await api.post<SimulatedContactResult>('/api/simulator/contact', request);
      setResult({ kind, value, lineId, from: request.from });
      if (kind === 'text') setText('');
    });
  };

  return (
    <div class="phone">
      <div class="phone-screen">
        <SelectField
          label={t('sim.line')}
          value={String(lineId)}
          onValue={(value) => setLineId(Number(value))}
          choices={lines.map((line) => ({ value: String(line.id), label: line.number }))}
        />
        <div class="inline-form">
          <div class="grow">
            <TextField
              label={t('sim.from')}
              hint={t('sim.fromHint')}
              type="tel"
              value={from}
              onValue={setFrom}
            />
          </div>
          <button
            type="button"
            class="button"
            onClick={() => {
              setFrom(randomCaller());
              setResult(null);
            }}
          >
            {t('sim.newNumber')}
          </button>
        </div>
        <button
          type="button"
          class="button button-primary button-large phone-call"
          disabled={action.busy}
          onClick={() => send('call')}
        >
          <span aria-hidden="true">☎ </span>
          {t('sim.call')}
        </button>
        <form
          class="phone-compose"
          onSubmit={(event) => {
            event.preventDefault();
            send('text');
          }}
          noValidate
        >
          <TextAreaField label={t('sim.text')} rows={3} value={text} onValue={setText} />
          <button type="submit" class="button button-primary" disabled={action.busy}>
            {t('sim.send')}
          </button>
        </form>
        <ErrorAlert error={action.error} />
        <Status message={result ? resultText(i18n, result.kind, result.value) : ''} />
        {result?.value.voice?.kind === 'play' ? (
          <audio controls src={result.value.voice.url} aria-label={t('voice.recording')} />
        ) : null}
        {result ? <SimulatorInboxView lineId={result.lineId} from={result.from} /> : null}
      </div>
    </div>
  );
}

/** What happened, as the pretend caller would experience it. */
function resultText(i18n: I18n, kind: ContactKind, result: SimulatedContactResult): string {
  const { t } = i18n;
  const voice = result.voice;
  const heard =
    kind === 'text'
      ? t('sim.textSent')
      : voice?.kind === 'say'
        ? t('sim.heardSay', { text: voice.text })
        : voice?.kind === 'play'
          ? t('sim.heardPlay')
          : voice?.kind === 'reject'
            ? t('sim.heardReject')
            : t('sim.heardNothing');
  const next = result.replyDueAt
    ? t('sim.replyPlanned', { time: i18n.time(result.replyDueAt) })
    : words(i18n, 'outcome', result.outcome);
  return `${heard} ${next}`;
}
