import { useState } from 'preact/hooks';
import type { ChangePasswordRequest } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { ErrorAlert, Status } from '../components/alerts.tsx';
import { TextField } from '../components/fields.tsx';
import { Page } from '../components/page.tsx';
import { NewPasswordFields, passwordProblem } from '../components/password-fields.tsx';
import { useI18n } from '../i18n.ts';
import { useUser } from '../session.ts';

export function AccountPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const user = useUser();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!current) return action.fail(t('account.currentMissing'));
    const problem = passwordProblem(i18n, password, confirm);
    if (problem) return action.fail(problem);
    const request: ChangePasswordRequest = { currentPassword: current, newPassword: password };
    void action.run(async () => {
      await api.post('/api/account/password', request);
      setCurrent('');
      setPassword('');
      setConfirm('');
      return t('account.changed');
    });
  };

  return (
    <Page
      title={t('account.title')}
      intro={t('account.intro', { name: user.username, role: t(`role.${user.role}`) })}
    >
      <form class="card form" onSubmit={submit} noValidate>
        <h2>{t('account.changePassword')}</h2>
        <TextField
          type="password"
          label={t('account.current')}
          autoComplete="current-password"
          value={current}
          onValue={setCurrent}
        />
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
        />
        <ErrorAlert error={action.error} />
        <Status message={action.done} />
        <button type="submit" class="button button-primary" disabled={action.busy}>
          {t('account.changePassword')}
        </button>
      </form>
    </Page>
  );
}
