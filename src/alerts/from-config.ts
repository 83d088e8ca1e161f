import { EmailSink } from './email.ts';
import type { AlertSink } from './sinks.ts';
import { WebhookSink } from './webhook.ts';

export interface AlertSinkSettings {
  /** ALERT_WEBHOOK_URL */
  webhookUrl: string | null;
  /** SMTP_URL */
  smtpUrl: string | null;
  /** ALERT_EMAIL_FROM */
  emailFrom: string | null;
  /** ALERT_EMAIL_TO */
  emailTo: string[];
}

const ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+$/;

/**
 * The alert sinks the settings ask for: none, a chat webhook, e-mail, or both. Half-configured
 * e-mail is an error (the operator meant to be alerted), with a message saying what to add.
 */
export function createSinks(settings: AlertSinkSettings): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (settings.webhookUrl) sinks.push(new WebhookSink(settings.webhookUrl));

  const to = settings.emailTo.map((a) => a.trim()).filter(Boolean);
  if (settings.smtpUrl) {
    if (to.length === 0)
      throw new Error(
        'SMTP_URL is set but ALERT_EMAIL_TO is empty: write the addresses to alert, separated by commas',
      );
    const bad = to.find((a) => !ADDRESS.test(a));
    if (bad) throw new Error(`ALERT_EMAIL_TO: "${bad}" is not an e-mail address`);
    const from = settings.emailFrom?.trim() || smtpUser(settings.smtpUrl);
    if (!from)
      throw new Error(
        'ALERT_EMAIL_FROM is needed: the address alert e-mails are sent from (often the SMTP account itself)',
      );
    sinks.push(new EmailSink({ smtpUrl: settings.smtpUrl, from, to }));
  } else if (to.length > 0 || settings.emailFrom) {
    throw new Error(
      'ALERT_EMAIL_TO or ALERT_EMAIL_FROM is set but SMTP_URL is not: e-mail alerts need an SMTP server, e.g. smtp://user:password@smtp.example.org:587',
    );
  }
  return sinks;
}

/** The SMTP account name when it is an e-mail address: a sensible default sender. */
function smtpUser(smtpUrl: string): string | null {
  try {
    const user = decodeURIComponent(new URL(smtpUrl).username);
    return ADDRESS.test(user) ? user : null;
  } catch {
    return null;
  }
}
