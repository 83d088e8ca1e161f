import { useState } from 'preact/hooks';
import type { LoginRequest, SessionInfo } from '../../../src/web/api/contract.ts';
import { api, RequestError } from '../api.ts';
import { useAction } from '../action.ts';
import { ErrorAlert } from '../components/alerts.tsx';
import { TextField } from '../components/fields.tsx';
import { Page } from '../components/page.tsx';
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.ts';

export function LoginPage() {
  const { t } = useI18n();
  const { setSession } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!username.trim() || !password) return action.fail(t('login.missing'));
    const request: LoginRequest = { username: username.trim(), password };
    void action.run(async () => {
      setSession(await api.post<SessionInfo>('/api/login', request, { expect401: true }));
    });
  };
  const wrongPassword = action.error instanceof RequestError && action.error.status === 401;

  return (
    <Page title={t('login.title')}>
      <form class="card form" onSubmit={submit} noValidate>
        <TextField
          label={t('account.username')}
          autoComplete="username"
          value={username}
          onValue={setUsername}
        />
        <TextField
          type="password"
          label={t('account.password')}
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <ErrorAlert error={wrongPassword ? t('login.wrong') : action.error} />
        <button type="submit" class="button button-primary button-large" disabled={action.busy}>
          {t('login.submit')}
        </button>
      </form>
    </Page>
  );
}
