import { InvalidInputError } from '../domain/errors.ts';
import { EmailSink } from './email.ts';
import type { AlertKind } from './events.ts';
import { NtfySink } from './ntfy.ts';
import type { AlertSink } from './sinks.ts';
import { WebhookSink } from './webhook.ts';

/** Every kind of event a destination may receive, in the order the dashboard lists them. */
export const ALERT_KINDS: readonly AlertKind[] = [
  'shield_on',
  'shield_off',
  'threat',
  'budget',
  'provider_error',
];

export type DestinationKind = 'webhook' | 'email' | 'ntfy';
export const DESTINATION_KINDS: readonly DestinationKind[] = ['webhook', 'email', 'ntfy'];

/** Where alerts go, as an admin set it in the dashboard; secrets included (stored sealed). */
export type Destination = {
  id: number;
  label: string;
  /** The events it receives. */
  events: AlertKind[];
  createdAt: number;
  createdBy: string;
} & (
  | { kind: 'webhook'; url: string }
  | { kind: 'email'; smtpUrl: string; from: string; to: string[] }
  | { kind: 'ntfy'; server: string; topic: string; token: string | null }
);

/** A destination as an admin gives it, before it is stored. */
export type DestinationInput = Destination extends infer D
  ? D extends Destination
    ? Omit<D, 'id' | 'createdAt' | 'createdBy'>
    : never
  : never;

/** A destination as the dashboard shows it: where it points, without its secrets. */
export interface DestinationView {
  /** "d3" for a destination set in the dashboard, "settings-webhook" / "settings-email" for .env. */
  id: string;
  kind: DestinationKind;
  label: string;
  /** "hooks.slack.com", "ops@example.org, …", "ntfy.sh / nonm…" */
  target: string;
  events: AlertKind[];
  /** Set in the settings (.env): shown, tested, never changed here. */
  readOnly: boolean;
}

/** A sink that only takes the events its destination asked for. */
export interface FilteredSink extends AlertSink {
  wants?(kind: AlertKind): boolean;
}

/** The sink that delivers to a destination; throws InvalidInputError naming what to fix. */
export function destinationSink(d: Destination): FilteredSink {
  const name = `d${d.id}`;
  let sink: AlertSink;
  try {
    switch (d.kind) {
      case 'webhook':
        sink = new WebhookSink(d.url, { name });
        break;
      case 'email':
        sink = new EmailSink({ name, smtpUrl: d.smtpUrl, from: d.from, to: d.to });
        break;
      case 'ntfy':
        sink = new NtfySink({ name, server: d.server, topic: d.topic, token: d.token });
        break;
    }
  } catch (error) {
    throw new InvalidInputError((error as Error).message, { field: fieldOf(d.kind) });
  }
  const wanted = new Set(d.events);
  return Object.assign(sink, { wants: (kind: AlertKind) => wanted.has(kind) });
}

const fieldOf = (kind: DestinationKind) =>
  kind === 'webhook' ? 'url' : kind === 'email' ? 'smtpUrl' : 'server';

/** What the dashboard may show of a destination. */
export function destinationView(d: Destination): DestinationView {
  return {
    id: `d${d.id}`,
    kind: d.kind,
    label: d.label,
    target: targetOf(d),
    events: d.events,
    readOnly: false,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

function targetOf(d: Destination): string {
  switch (d.kind) {
    case 'webhook':
      return hostOf(d.url);
    case 'email':
      return d.to.join(', ');
    case 'ntfy':
      return `${hostOf(d.server)} / ${d.topic.slice(0, 4)}…`;
  }
}
