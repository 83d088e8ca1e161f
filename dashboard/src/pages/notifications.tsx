import { useState } from 'preact/hooks';
import type {
  AlertKind,
  CreateDestinationRequest,
  DestinationKind,
  DestinationRow,
  DestinationTestResult,
  Notifications,
} from '../../../src/web/api/contract.ts';
import { api } from '../api.ts';
import { useAction } from '../action.ts';
import { ErrorAlert, Loading, Problem, Status } from '../components/alerts.tsx';
import { CheckboxField, SelectField, TextField } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { useResource } from '../data.ts';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';

const KINDS: AlertKind[] = ['shield_on', 'shield_off', 'threat', 'budget', 'provider_error'];
const DESTINATION_KINDS: DestinationKind[] = ['webhook', 'ntfy', 'email'];
const ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+$/;

/**
 * Where alerts go: chat webhooks (Slack, Mattermost, Discord), ntfy and e-mail, each with the
 * events it receives and a button to send a test; the settings' destinations read-only; and the
 * alerts raised, delivered or failed.
 */
export function NotificationsPage() {
  const { t } = useI18n();
  const data = useResource<Notifications>('/api/notifications');
  return (
    <Page title={t('notifications.title')} intro={t('notifications.intro')}>
      <ErrorAlert error={data.error} />
      {data.data ? (
        <>
          <Section id="destinations" title={t('notifications.destinations')}>
            {data.data.destinations.length ? (
              <div class="destination-list">
                {data.data.destinations.map((d) => (
                  <DestinationCard key={d.id} destination={d} onChange={data.reload} />
                ))}
              </div>
            ) : (
              <p class="muted">{t('notifications.noDestination')}</p>
            )}
          </Section>
          <Section id="add-destination" title={t('notifications.add')}>
            <AddDestination onAdded={data.reload} />
          </Section>
          <Section id="alert-history" title={t('notifications.history')}>
            <History data={data.data} />
          </Section>
        </>
      ) : (
        <Loading />
      )}
    </Page>
  );
}

function EventChoices(props: { events: AlertKind[]; onEvents: (events: AlertKind[]) => void }) {
  const i18n = useI18n();
  return (
    <fieldset class="fieldset">
      <legend>{i18n.t('notifications.events')}</legend>
      {KINDS.map((kind) => (
        <CheckboxField
          key={kind}
          label={words(i18n, 'alertKind', kind)}
          checked={props.events.includes(kind)}
          onChecked={(on) =>
            props.onEvents(on ? [...props.events, kind] : props.events.filter((k) => k !== kind))
          }
        />
      ))}
    </fieldset>
  );
}

function DestinationCard(props: { destination: DestinationRow; onChange: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const d = props.destination;
  const [events, setEvents] = useState(d.events);
  const action = useAction();
  const test = () =>
    action.run(async () => {
      const result = await api.post<DestinationTestResult>(`/api/notifications/${d.id}/test`, {});
      if (!result.delivered)
        throw new Problem(t('notifications.testFailed', { error: result.error ?? '' }));
      return t('notifications.testSent', { label: d.label });
    });
  const save = () =>
    action.run(async () => {
      await api.patch(`/api/notifications/${d.id}`, { events });
      props.onChange();
      return t('notifications.saved');
    });
  const remove = () =>
    action.run(async () => {
      await api.del(`/api/notifications/${d.id}`);
      props.onChange();
    });
  return (
    <article class="destination" aria-label={d.label}>
      <h3>{d.label}</h3>
      <p>
        <strong>{words(i18n, 'destinationKind', d.kind)}</strong> · {d.target}
        {d.readOnly ? (
          <span class="badge badge-neutral">{t('notifications.fromSettings')}</span>
        ) : null}
      </p>
      {d.readOnly ? (
        <p class="muted">{t('notifications.readOnly')}</p>
      ) : (
        <EventChoices events={events} onEvents={setEvents} />
      )}
      <div class="line-actions">
        <button type="button" class="button" disabled={action.busy} onClick={() => void test()}>
          {t('notifications.test')}
        </button>
        {d.readOnly ? null : (
          <>
            <button
              type="button"
              class="button button-primary"
              disabled={action.busy}
              onClick={() => void save()}
            >
              {t('notifications.save')}
            </button>
            <button
              type="button"
              class="button button-danger"
              disabled={action.busy}
              onClick={() => void remove()}
            >
              {t('notifications.remove')}
            </button>
          </>
        )}
      </div>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
    </article>
  );
}

function AddDestination(props: { onAdded: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [kind, setKind] = useState<DestinationKind>('webhook');
  const [f, setF] = useState({
    label: '',
    url: '',
    server: 'https://ntfy.sh',
    topic: '',
    token: '',
    smtpUrl: '',
    from: '',
    to: '',
  });
  const [events, setEvents] = useState<AlertKind[]>([...KINDS]);
  const action = useAction();
  const set = (key: keyof typeof f) => (value: string) => setF({ ...f, [key]: value });
  const isUrl = (text: string, schemes: string[]) => {
    try {
      return schemes.includes(new URL(text).protocol);
    } catch {
      return false;
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const to = f.to.split(/[\s,;]+/).filter(Boolean);
    if (!f.label.trim()) return action.fail(t('notifications.labelMissing'));
    if (!events.length) return action.fail(t('notifications.eventsMissing'));
    if (kind === 'webhook' && !isUrl(f.url, ['https:', 'http:']))
      return action.fail(t('notifications.urlInvalid'));
    if (kind === 'ntfy' && !isUrl(f.server, ['https:', 'http:']))
      return action.fail(t('notifications.serverInvalid'));
    if (kind === 'ntfy' && !/^[\w-]{1,64}$/.test(f.topic))
      return action.fail(t('notifications.topicInvalid'));
    if (kind === 'email' && !isUrl(f.smtpUrl, ['smtp:', 'smtps:']))
      return action.fail(t('notifications.smtpInvalid'));
    if (kind === 'email' && (!to.length || !to.every((a) => ADDRESS.test(a))))
      return action.fail(t('notifications.toInvalid'));
    const request: CreateDestinationRequest = {
      kind,
      label: f.label,
      events,
      ...(kind === 'webhook' ? { url: f.url } : {}),
      ...(kind === 'ntfy' ? { server: f.server, topic: f.topic, token: f.token } : {}),
      ...(kind === 'email' ? { smtpUrl: f.smtpUrl, from: f.from || to[0]!, to } : {}),
    };
    void action.run(async () => {
      await api.post<DestinationRow>('/api/notifications', request);
      props.onAdded();
      setF({ ...f, label: '', url: '', topic: '', token: '', smtpUrl: '', to: '' });
      return t('notifications.added', { label: request.label });
    });
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <SelectField
        label={t('notifications.kind')}
        value={kind}
        onValue={(value) => setKind(value as DestinationKind)}
        choices={DESTINATION_KINDS.map((k) => ({
          value: k,
          label: words(i18n, 'destinationKind', k),
        }))}
      />
      <TextField
        label={t('notifications.label')}
        hint={t('notifications.labelHint')}
        value={f.label}
        onValue={set('label')}
      />
      {kind === 'webhook' ? (
        <TextField
          label={t('notifications.url')}
          hint={t('notifications.urlHint')}
          value={f.url}
          onValue={set('url')}
        />
      ) : null}
      {kind === 'ntfy' ? (
        <>
          <TextField
            label={t('notifications.server')}
            hint={t('notifications.serverHint')}
            value={f.server}
            onValue={set('server')}
          />
          <TextField
            label={t('notifications.topic')}
            hint={t('notifications.topicHint')}
            value={f.topic}
            onValue={set('topic')}
          />
          <TextField
            label={t('notifications.token')}
            hint={t('notifications.tokenHint')}
            value={f.token}
            onValue={set('token')}
          />
        </>
      ) : null}
      {kind === 'email' ? (
        <>
          <TextField
            label={t('notifications.smtp')}
            hint={t('notifications.smtpHint')}
            value={f.smtpUrl}
            onValue={set('smtpUrl')}
          />
          <TextField
            label={t('notifications.from')}
            hint={t('notifications.fromHint')}
            value={f.from}
            onValue={set('from')}
          />
          <TextField
            label={t('notifications.to')}
            hint={t('notifications.toHint')}
            value={f.to}
            onValue={set('to')}
          />
        </>
      ) : null}
      <EventChoices events={events} onEvents={setEvents} />
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      <button type="submit" class="button button-primary" disabled={action.busy}>
        {t('notifications.addButton')}
      </button>
    </form>
  );
}

function History({ data }: { data: Notifications }) {
  const i18n = useI18n();
  const { t } = i18n;
  const names = new Map(data.destinations.map((d) => [d.id, d.label]));
  const nameOf = (sink: string) => names.get(sink) ?? names.get(`settings-${sink}`) ?? sink;
  if (!data.history.length) return <p class="muted">{t('notifications.noHistory')}</p>;
  return (
    <div class="table-scroll" role="region" aria-label={t('notifications.history')} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{t('notifications.history')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('notifications.when')}</th>
            <th scope="col">{t('notifications.what')}</th>
            <th scope="col">{t('notifications.status')}</th>
            <th scope="col">{t('notifications.deliveredTo')}</th>
          </tr>
        </thead>
        <tbody>
          {data.history.map((h) => (
            <tr key={h.id}>
              <td>{i18n.dateTime(h.at)}</td>
              <td>{h.subject}</td>
              <td>
                {words(i18n, 'alertStatus', h.status)}
                {h.lastError && h.status !== 'delivered' ? (
                  <p class="muted">
                    {t('notifications.lastError', { error: h.lastError, attempts: h.attempts })}
                  </p>
                ) : null}
              </td>
              <td>{h.deliveredTo.length ? i18n.list(h.deliveredTo.map(nameOf)) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
