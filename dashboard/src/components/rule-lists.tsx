import { useRef, useState } from 'preact/hooks';
import type {
  ListedNumberRow,
  ListRequest,
  NumberList,
  RuleKind,
  RuleRow,
  Rules,
  CreateRuleRequest,
} from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { callerText } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';
import { TextField } from './fields.tsx';

/** The numbers on one list (blocked, allowed, STOP), a form to add one, a button to take each off. */
export function NumberListEditor(props: {
  list: NumberList;
  rows: ListedNumberRow[];
  onRules: (rules: Rules) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { list } = props;
  const [number, setNumber] = useState('');
  const action = useAction();
  const input = useRef<HTMLDivElement>(null);

  const change = (request: ListRequest, done: string) =>
    action.run(async () => {
      props.onRules(await api.post<Rules>(`/api/lists/${list}`, request));
      if (request.number) setNumber('');
      else input.current?.querySelector('input')?.focus();
      return done;
    });

  return (
    <div class="rule-block">
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!number.trim()) return action.fail(t('rules.numberMissing'));
          void change(
            { number: number.trim(), on: true },
            t('rules.numberAdded', { number: number.trim() }),
          );
        }}
        noValidate
      >
        <div ref={input} class="grow">
          <TextField
            label={t(`rules.${list}.numberLabel`)}
            type="tel"
            autoComplete="off"
            value={number}
            onValue={setNumber}
          />
        </div>
        <button type="submit" class="button button-primary" disabled={action.busy}>
          {t(`rules.${list}.add`)}
        </button>
      </form>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      {props.rows.length ? (
        <ul class="rule-list">
          {props.rows.map((row) => {
            const name = callerText(i18n, row.caller, row.nickname);
            return (
              <li key={row.callerId}>
                <span class="rule-value">{name}</span>
                {row.since ? (
                  <span class="muted">{t('rules.since', { date: i18n.dateTime(row.since) })}</span>
                ) : null}
                <button
                  type="button"
                  class="button button-small"
                  disabled={action.busy}
                  onClick={() =>
                    void change(
                      { callerId: row.callerId, on: false },
                      t('rules.removed', { value: name }),
                    )
                  }
                >
                  {t('rules.remove')}
                  <span class="visually-hidden"> {t('rules.numberTail', { value: name })}</span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="muted">{t(`rules.${list}.empty`)}</p>
      )}
    </div>
  );
}

/** Prefix or keyword rules of one kind: add with an optional note, remove each. */
export function RuleEditor(props: {
  kind: RuleKind;
  rows: RuleRow[];
  onAdded: (rule: RuleRow) => void;
  onRemoved: (id: number) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { kind } = props;
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const action = useAction();
  const input = useRef<HTMLDivElement>(null);

  const add = (event: Event) => {
    event.preventDefault();
    if (!value.trim()) return action.fail(t(`rules.${kind}.missing`));
    const request: CreateRuleRequest = {
      kind,
      value: value.trim(),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    void action.run(async () => {
      props.onAdded(await api.post<RuleRow>('/api/rules', request));
      setValue('');
      setNote('');
      return t('rules.ruleAdded', { value: request.value });
    });
  };

  const remove = (rule: RuleRow) =>
    void action.run(async () => {
      await api.del(`/api/rules/${rule.id}`);
      props.onRemoved(rule.id);
      input.current?.querySelector('input')?.focus();
      return t('rules.removed', { value: rule.value });
    });

  return (
    <div class="rule-block">
      <form class="inline-form" onSubmit={add} noValidate>
        <div ref={input} class="grow">
          <TextField
            label={t(`rules.${kind}.valueLabel`)}
            hint={t(`rules.${kind}.hint`)}
            autoComplete="off"
            value={value}
            onValue={setValue}
          />
        </div>
        <div class="grow">
          <TextField label={t('rules.note')} autoComplete="off" value={note} onValue={setNote} />
        </div>
        <button type="submit" class="button button-primary" disabled={action.busy}>
          {t(`rules.${kind}.add`)}
        </button>
      </form>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      {props.rows.length ? (
        <ul class="rule-list">
          {props.rows.map((rule) => (
            <li key={rule.id}>
              <span class="rule-value" translate={false}>
                {rule.value}
              </span>
              {rule.note ? <span>{rule.note}</span> : null}
              <span class="muted">
                {t('rules.addedBy', { who: rule.createdBy, date: i18n.dateTime(rule.createdAt) })}
              </span>
              <button
                type="button"
                class="button button-small"
                disabled={action.busy}
                onClick={() => remove(rule)}
              >
                {t('rules.remove')}
                <span class="visually-hidden">
                  {' '}
                  {t(`rules.${kind}.tail`, { value: rule.value })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t(`rules.${kind}.empty`)}</p>
      )}
    </div>
  );
}
