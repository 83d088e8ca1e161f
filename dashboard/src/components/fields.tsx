import { h, type ComponentChildren, type RefObject } from 'preact';
import { useEffect, useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  /** Shown under the label and read with the field. */
  hint?: ComponentChildren;
  /** What is wrong with the value, shown under the field and read with it. */
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
}

function Frame(props: {
  id: string;
  label: string;
  hint: ComponentChildren;
  hintId: string;
  error?: string | null | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class={`field ${props.error ? 'field-invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={props.hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The ids read with a field: its hint, then its error. */
function describedBy(id: string, hint: unknown, error: unknown, extra = ''): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : '', extra].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

type InputProps = FieldProps & {
  type?: 'text' | 'password' | 'tel' | 'date' | 'datetime-local';
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'tel';
  autoCapitalize?: 'off' | 'characters';
};

export function TextField({
  label,
  hint,
  error,
  value,
  onValue,
  type = 'text',
  ...input
}: InputProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId} error={error}>
      {/* h() rather than JSX: Preact's JSX typings accept one input type, not a union of them. */}
      {h('input', {
        ...input,
        type,
        id,
        value,
        'aria-describedby': describedBy(id, hint, error),
        'aria-invalid': error ? true : undefined,
        onInput: (event: Event) => onValue((event.currentTarget as HTMLInputElement).value),
      })}
    </Frame>
  );
}

type TextAreaProps = FieldProps & {
  rows?: number;
  /** Extra element ids read with the field (a live counter). */
  describedBy?: string;
};

export function TextAreaField({
  label,
  hint,
  error,
  value,
  onValue,
  describedBy: extra,
  rows = 4,
}: TextAreaProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId} error={error}>
      <textarea
        rows={rows}
        id={id}
        value={value}
        aria-describedby={describedBy(id, hint, error, extra)}
        aria-invalid={error ? true : undefined}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
    </Frame>
  );
}

export interface Choice {
  value: string;
  label: string;
}

type SelectProps = FieldProps & { choices: Choice[] };

export function SelectField({ label, hint, error, value, onValue, choices }: SelectProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId} error={error}>
      <select
        id={id}
        value={value}
        aria-describedby={describedBy(id, hint, error)}
        aria-invalid={error ? true : undefined}
        onChange={(event) => onValue(event.currentTarget.value)}
      >
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}

export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div class="field field-check">
      <input
        type="checkbox"
        id={id}
        checked={props.checked}
        onChange={(event) => props.onChecked(event.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** After a refusal, puts the keyboard on the first field of `form` marked invalid, if any. */
export function useFocusInvalid(form: RefObject<HTMLElement | null>, error: unknown): void {
  useEffect(() => {
    if (error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
}
