import { h, type ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  /** Shown under the label and read with the field. */
  hint?: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
}

function Frame(props: {
  id: string;
  label: string;
  hint: ComponentChildren;
  hintId: string;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={props.hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}

type InputProps = FieldProps & {
  type?: 'text' | 'password' | 'tel' | 'date';
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'tel';
  autoCapitalize?: 'off' | 'characters';
};

export function TextField({ label, hint, value, onValue, type = 'text', ...input }: InputProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId}>
      {/* h() rather than JSX: Preact's JSX typings accept one input type, not a union of them. */}
      {h('input', {
        ...input,
        type,
        id,
        value,
        'aria-describedby': hint ? hintId : undefined,
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
  value,
  onValue,
  describedBy,
  rows = 4,
}: TextAreaProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const described = [hint ? hintId : '', describedBy ?? ''].filter(Boolean).join(' ');
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId}>
      <textarea
        rows={rows}
        id={id}
        value={value}
        aria-describedby={described || undefined}
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

export function SelectField({ label, hint, value, onValue, choices }: SelectProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <Frame id={id} label={label} hint={hint} hintId={hintId}>
      <select
        id={id}
        value={value}
        aria-describedby={hint ? hintId : undefined}
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
