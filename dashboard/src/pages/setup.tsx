import { useState } from 'preact/hooks';
import type { SessionInfo, SetupRequest } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { ErrorAlert } from '../components/alerts.tsx';
import { TextField } from '../components/fields.tsx';
import { Page } from '../components/page.tsx';
import { NewPasswordFields, passwordProblem } from '../components/password-fields.tsx';
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.ts';

/** First run: the person installing nonmerci creates the first administrator account. */
export function SetupPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { session, setSession } = useSession();
  // The link the server prints carries the code after '#', which never leaves the browser.
  const [code, setCode] = useState(
    () => new URLSearchParams(location.hash.slice(1)).get('setup') ?? '',
  );
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!username.trim()) return action.fail(t('setup.nameMissing'));
    const problem = passwordProblem(i18n, password, confirm);
    if (problem) return action.fail(problem);
    if (session.setupCodeNeeded && !code.trim()) return action.fail(t('setup.codeMissing'));
    const request: SetupRequest = {
      username: username.trim(),
      password,
      ...(session.setupCodeNeeded ? { setupCode: code.trim() } : {}),
    };
    void action.run(async () => {
      const info = await api.post<SessionInfo>('/api/setup', request, { expect401: true });
      if (location.hash) history.replaceState(null, '', location.pathname + location.search);
      setSession(info);
    });
  };

  return (
    <Page title={t('setup.title')} intro={t('setup.intro')}>
      <form class="card form" onSubmit={submit} noValidate>
        {session.setupCodeNeeded && (
          <TextField
            label={t('setup.code')}
            hint={t('setup.codeHint')}
            autoComplete="off"
            value={code}
            onValue={setCode}
          />
        )}
        <TextField
          label={t('account.username')}
          autoComplete="username"
          value={username}
          onValue={setUsername}
        />
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          label={t('account.password')}
        />
        <ErrorAlert error={action.error} />
        <button type="submit" class="button button-primary button-large" disabled={action.busy}>
          {t('setup.submit')}
        </button>
      </form>
    </Page>
  );
}
