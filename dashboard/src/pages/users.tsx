import { useState } from 'preact/hooks';
import type {
  CreateUserRequest,
  SessionInfo,
  Role,
  UpdateUserRequest,
  UserSummary,
} from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { ErrorAlert, Loading, Problem, Status } from '../components/alerts.tsx';
import { ConfirmDialog } from '../components/dialog.tsx';
import { SelectField, TextField, type Choice } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { NewPasswordFields, passwordProblem } from '../components/password-fields.tsx';
import { useResource } from '../data.ts';
import { useI18n, type I18n } from '../i18n.ts';
import { useSession, useUser } from '../session.ts';

const roleChoices = (i18n: I18n): Choice[] => [
  { value: 'moderator', label: i18n.t('role.moderator') },
  { value: 'admin', label: i18n.t('role.admin') },
];

type Pending =
  | { kind: 'role'; user: UserSummary; role: Role }
  | { kind: 'password'; user: UserSummary }
  | { kind: 'delete'; user: UserSummary };

export function UsersPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useUser();
  const { setSession } = useSession();
  const users = useResource<UserSummary[]>('/api/users');
  const [pending, setPending] = useState<Pending | null>(null);
  const [done, setDone] = useState('');

  const replace = (user: UserSummary) =>
    users.update((list) => list.map((u) => (u.id === user.id ? user : u)));

  return (
    <Page title={t('users.title')} intro={t('users.intro')}>
      <ErrorAlert error={users.error} />
      <Status message={done} />
      {users.data ? (
        <div class="table-scroll" role="region" aria-label={t('users.title')} tabIndex={0}>
          <table>
            <caption class="visually-hidden">{t('users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('account.username')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.lastLogin')}</th>
                <th scope="col">{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id}>
                  <th scope="row">
                    {user.username}
                    {user.id === me.id ? ` (${t('users.you')})` : ''}
                  </th>
                  <td>
                    <RoleSelect
                      user={user}
                      onPick={(role) => setPending({ kind: 'role', user, role })}
                    />
                  </td>
                  <td>{user.lastLoginAt ? i18n.dateTime(user.lastLoginAt) : t('users.never')}</td>
                  <td>
                    <div class="row-actions">
                      <button
                        type="button"
                        class="button button-small"
                        onClick={() => setPending({ kind: 'password', user })}
                      >
                        {t('users.resetPassword')}
                        <span class="visually-hidden"> {user.username}</span>
                      </button>
                      <button
                        type="button"
                        class="button button-small button-danger-quiet"
                        onClick={() => setPending({ kind: 'delete', user })}
                      >
                        {t('users.delete')}
                        <span class="visually-hidden"> {user.username}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : users.loading ? (
        <Loading />
      ) : null}

      <Section id="new-user" title={t('users.create')}>
        <CreateUserForm
          onCreated={(user) => {
            users.update((list) => [...list, user]);
            setDone(t('users.created', { name: user.username }));
          }}
        />
      </Section>

      {pending ? (
        <UserDialog
          pending={pending}
          onClose={() => setPending(null)}
          onDone={(message, user) => {
            if (user) replace(user);
            else users.update((list) => list.filter((u) => u.id !== pending.user.id));
            setDone(message);
            // Your own role changed: the menu and pages follow.
            if (user?.id === me.id && user.role !== me.role)
              void api.get<SessionInfo>('/api/session').then(setSession, () => {});
          }}
        />
      ) : null}
    </Page>
  );
}

/** Choosing another role only asks for confirmation; nothing changes until confirmed. */
function RoleSelect(props: { user: UserSummary; onPick(role: Role): void }) {
  const i18n = useI18n();
  return (
    <label class="compact-select">
      <span class="visually-hidden">{i18n.t('users.roleOf', { name: props.user.username })}</span>
      <select
        value={props.user.role}
        onChange={(event) => {
          const role = event.currentTarget.value as Role;
          event.currentTarget.value = props.user.role;
          if (role !== props.user.role) props.onPick(role);
        }}
      >
        {roleChoices(i18n).map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function UserDialog(props: {
  pending: Pending;
  onClose: () => void;
  onDone: (message: string, user: UserSummary | null) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { pending } = props;
  const name = pending.user.username;
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');

  const run = async () => {
    const path = `/api/users/${pending.user.id}`;
    if (pending.kind === 'delete') {
      await api.del(path);
      return props.onDone(t('users.deleted', { name }), null);
    }
    if (pending.kind === 'password') {
      const problem = passwordProblem(i18n, password, confirm);
      if (problem) throw new Problem(problem);
    }
    const request: UpdateUserRequest =
      pending.kind === 'role' ? { role: pending.role } : { password };
    const user = await api.patch<UserSummary>(path, request);
    props.onDone(
      t(pending.kind === 'role' ? 'users.roleChanged' : 'users.passwordReset', { name }),
      user,
    );
  };

  if (pending.kind === 'password')
    return (
      <ConfirmDialog
        title={t('users.resetTitle', { name })}
        confirmLabel={t('users.resetPassword')}
        onConfirm={run}
        onClose={props.onClose}
      >
        <p>{t('users.resetExplain')}</p>
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
        />
      </ConfirmDialog>
    );
  return (
    <ConfirmDialog
      title={
        pending.kind === 'delete'
          ? t('users.deleteTitle', { name })
          : t('users.roleTitle', { name, role: t(`role.${pending.role}`) })
      }
      confirmLabel={t(pending.kind === 'delete' ? 'users.delete' : 'users.changeRole')}
      danger={pending.kind === 'delete'}
      onConfirm={run}
      onClose={props.onClose}
    >
      <p>
        {pending.kind === 'delete' ? t('users.deleteExplain') : t(`role.${pending.role}Explain`)}
      </p>
    </ConfirmDialog>
  );
}

function CreateUserForm(props: { onCreated(user: UserSummary): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [role, setRole] = useState<Role>('moderator');
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    if (!username.trim()) return action.fail(t('setup.nameMissing'));
    const problem = passwordProblem(i18n, password, confirm);
    if (problem) return action.fail(problem);
    const request: CreateUserRequest = { username: username.trim(), password, role };
    void action.run(async () => {
      props.onCreated(await api.post<UserSummary>('/api/users', request));
      setUsername('');
      setPassword('');
      setConfirm('');
    });
  };

  return (
    <form class="form card" onSubmit={submit} noValidate>
      <TextField
        label={t('account.username')}
        autoComplete="off"
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
      <SelectField
        label={t('users.role')}
        hint={t('users.roleHint')}
        value={role}
        onValue={(value) => setRole(value === 'admin' ? 'admin' : 'moderator')}
        choices={roleChoices(i18n)}
      />
      <ErrorAlert error={action.error} />
      <button type="submit" class="button button-primary" disabled={action.busy}>
        {t('users.create')}
      </button>
    </form>
  );
}
