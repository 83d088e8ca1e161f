import { useId, useState } from 'preact/hooks';
import type { LineDetail } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';
import { ConfirmDialog } from './dialog.tsx';

const MAX_BYTES = 5 * 1024 * 1024;

/** The recording played instead of the spoken text: listen, replace, remove. */
export function VoiceRecording(props: { line: LineDetail; onChange(line: LineDetail): void }) {
  const { t } = useI18n();
  const inputId = useId();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const url = props.line.voiceAudioUrl;

  const upload = (input: HTMLInputElement) => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > MAX_BYTES) return action.fail(t('voice.tooLarge'));
    void action.run(async () => {
      props.onChange(await api.put<LineDetail>(`/api/lines/${props.line.id}/voice-audio`, file));
      return t('voice.uploaded');
    });
  };

  return (
    <div class="voice-recording">
      {url ? (
        <>
          <p>{t('voice.playing')}</p>
          <audio controls src={url} preload="none" aria-label={t('voice.recording')} />
        </>
      ) : (
        <p class="hint">{t('voice.none')}</p>
      )}
      <div class="field">
        <label for={inputId}>{t(url ? 'voice.replace' : 'voice.upload')}</label>
        <p class="hint" id={`${inputId}-hint`}>
          {t('voice.formats')}
        </p>
        <input
          id={inputId}
          type="file"
          accept="audio/mpeg,audio/wav,.mp3,.wav"
          aria-describedby={`${inputId}-hint`}
          disabled={action.busy}
          onChange={(event) => upload(event.currentTarget)}
        />
      </div>
      {url ? (
        <button
          type="button"
          class="button button-danger-quiet"
          onClick={() => setConfirming(true)}
        >
          {t('voice.remove')}
        </button>
      ) : null}
      <ErrorAlert error={action.error} />
      <Status message={action.busy ? t('voice.uploading') : action.done} />
      {confirming ? (
        <ConfirmDialog
          title={t('voice.removeTitle')}
          confirmLabel={t('voice.remove')}
          danger
          onConfirm={async () => {
            props.onChange(await api.del<LineDetail>(`/api/lines/${props.line.id}/voice-audio`));
          }}
          onClose={() => setConfirming(false)}
        >
          <p>{t('voice.removeExplain')}</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
