import type { I18n } from '../i18n.ts';
import { useI18n } from '../i18n.ts';
import { TextField } from './fields.tsx';

export const MIN_PASSWORD = 12;

/** Why a new password cannot be used yet, or null when it can. */
export function passwordProblem(i18n: I18n, password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD) return i18n.t('password.tooShort', { min: MIN_PASSWORD });
  if (password !== confirm) return i18n.t('password.mismatch');
  return null;
}

/** A new password typed twice, with the length rule said up front. */
export function NewPasswordFields(props: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  label?: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        type="password"
        label={props.label ?? t('password.new')}
        hint={t('password.hint', { min: MIN_PASSWORD })}
        autoComplete="new-password"
        value={props.password}
        onValue={props.onPassword}
      />
      <TextField
        type="password"
        label={t('password.confirm')}
        autoComplete="new-password"
        value={props.confirm}
        onValue={props.onConfirm}
      />
    </>
  );
}
