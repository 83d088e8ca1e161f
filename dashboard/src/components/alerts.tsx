import { RequestError } from '../api.ts';
import { useI18n, type I18n } from '../i18n.ts';

/** A sentence for the operator about something to fix before trying again. */
export class Problem extends Error {}

/** A Problem about one field of a form, shown next to that field. */
export class FieldProblem extends Problem {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * The field of `fields` a failure is about (a check before sending, or a 400 naming it), so that
 * the form shows it next to that field; null when it belongs above the form.
 */
export function errorField(error: unknown, fields: readonly string[]): string | null {
  const field =
    error instanceof FieldProblem
      ? error.field
      : error instanceof RequestError && error.status === 400
        ? error.field
        : null;
  return field !== null && fields.includes(field) ? field : null;
}

/** What to tell the operator about a failed request, in their language where we can. */
export function errorMessage(error: unknown, { t }: I18n): string {
  if (typeof error === 'string') return error;
  if (error instanceof Problem) return error.message;
  if (!(error instanceof RequestError)) return t('error.unknown');
  if (error.status === 0) return t('error.network');
  if (error.status === 429) return t('error.tooMany');
  if (error.status === 413) return t('error.tooLarge');
  if (error.code === 'csrf_invalid') return t('error.csrf');
  if (error.code === 'forbidden') return t('error.forbidden');
  if (error.code === 'setup_code_invalid') return t('error.setupCode');
  if (error.status >= 500) return t('error.server');
  return error.message || t('error.unknown');
}

/** A failed request, announced at once; renders nothing without an error. */
export function ErrorAlert({ error }: { error: unknown }) {
  const i18n = useI18n();
  const text = error ? errorMessage(error, i18n) : '';
  if (!text) return null;
  return (
    <p role="alert" class="alert alert-error">
      {text}
    </p>
  );
}

/**
 * A polite live region for results ("Saved"). It is always rendered, even empty, because screen
 * readers only announce changes inside a region that already existed.
 */
export function Status({ message, className = '' }: { message: string; className?: string }) {
  return (
    <p role="status" class={`status ${message ? 'status-shown' : ''} ${className}`}>
      {message}
    </p>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}
