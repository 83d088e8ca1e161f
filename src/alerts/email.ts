import type { Transporter } from 'nodemailer';
import { assertSinkName, errorMessage, scrub, type AlertMessage, type AlertSink } from './sinks.ts';

export interface EmailSinkOptions {
  /** smtp://user:password@host:587 (STARTTLS when offered) or smtps://user:password@host:465. */
  smtpUrl: string;
  from: string;
  to: string[];
  /** Longest wait for the connection, the greeting, and then any silence. Default 20 s. */
  timeoutMs?: number;
  /** Name remembered per alert; default "email". */
  name?: string;
}

/**
 * Mails alerts as plain text through an SMTP server. Errors name the server, never the
 * password of the SMTP URL.
 */
export class EmailSink implements AlertSink {
  readonly name: string;
  /** Created at the first alert: nodemailer (about 25 MB) is loaded only where e-mail is used. */
  #transport: Promise<Transporter> | null = null;
  readonly #smtpUrl: string;
  readonly #timeoutMs: number;
  readonly #from: string;
  readonly #to: string[];
  readonly #server: string;
  readonly #secrets: string[];

  constructor(options: EmailSinkOptions) {
    this.name = assertSinkName(options.name ?? 'email');
    let url: URL;
    try {
      url = new URL(options.smtpUrl);
    } catch {
      throw new Error('The SMTP address is not a URL; write it like smtp://user:password@host:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new Error(
        `The SMTP address must start with smtp:// or smtps:// (not ${url.protocol}//)`,
      );
    if (options.to.length === 0) throw new Error('E-mail alerts need at least one recipient');
    this.#server = url.host;
    this.#secrets = [
      options.smtpUrl,
      url.password || null,
      url.password ? safeDecode(url.password) : null,
    ].filter((s): s is string => s !== null);
    this.#smtpUrl = options.smtpUrl;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#from = options.from;
    this.#to = [...options.to];
  }

  #connect(): Promise<Transporter> {
    this.#transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        url: this.#smtpUrl,
        connectionTimeout: this.#timeoutMs,
        greetingTimeout: this.#timeoutMs,
        socketTimeout: this.#timeoutMs,
      }),
    );
    return this.#transport;
  }

  async deliver(alert: AlertMessage): Promise<void> {
    try {
      await (
        await this.#connect()
      ).sendMail({
        from: this.#from,
        to: this.#to,
        subject: alert.subject,
        text: alert.text,
      });
    } catch (error) {
      // The original error is left out on purpose: it may hold the SMTP password.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(
        `E-mail alert through ${this.#server} failed: ${scrub(errorMessage(error), this.#secrets)}`,
      );
    }
  }

  close(): void {
    void this.#transport?.then((transport) => transport.close());
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
