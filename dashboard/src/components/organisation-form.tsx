import { useEffect, useState } from 'preact/hooks';
import type { FilingOrganisation } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { useResource } from '../data.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';
import { TextAreaField, TextField } from './fields.tsx';

/** Who files complaints: set once, printed at the top of every evidence report. */
export function OrganisationForm() {
  const { t } = useI18n();
  const saved = useResource<FilingOrganisation>('/api/evidence/organisation');
  const [draft, setDraft] = useState<FilingOrganisation>({ name: '', address: '', contact: '' });
  const action = useAction();
  useEffect(() => {
    if (saved.data) setDraft(saved.data);
  }, [saved.data]);
  const set = (key: keyof FilingOrganisation) => (value: string) =>
    setDraft((current) => ({ ...current, [key]: value }));
  const submit = (event: Event) => {
    event.preventDefault();
    if (!draft.name.trim()) return action.fail(t('organisation.nameMissing'));
    void action.run(async () => {
      await api.put<FilingOrganisation>('/api/evidence/organisation', draft);
      return t('organisation.saved');
    });
  };
  return (
    <form class="form card" onSubmit={submit} noValidate>
      <p>{t('organisation.intro')}</p>
      <TextField label={t('organisation.name')} value={draft.name} onValue={set('name')} />
      <TextAreaField
        label={t('organisation.address')}
        value={draft.address}
        onValue={set('address')}
      />
      <TextField
        label={t('organisation.contact')}
        hint={t('organisation.contactHint')}
        value={draft.contact}
        onValue={set('contact')}
      />
      <ErrorAlert error={action.error ?? saved.error} />
      <Status message={action.done} />
      <button type="submit" class="button button-primary" disabled={action.busy}>
        {t('organisation.save')}
      </button>
    </form>
  );
}
