import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';
import type { Lang } from '../../platform/i18n.js';

/**
 * How mail leaves Suara: the only file that knows Nodemailer.
 *
 * - SMTP_URL set: every message goes to that server (`smtp://user:pass@host:587`, `smtps://…:465`).
 * - SMTP_URL unset (development, a first start): each message is written as a complete .eml file under
 *   DATA_DIR/mail, named `<time>-<outbox id>.eml`, which any mail program (or a text editor) opens.
 *
 * When the SMTP server is down or refuses for now, `send` throws; the outbox worker keeps the message, records
 * the error and tries again later with backoff (worker.ts). Nothing is lost; the citizen's mail is late. Timeouts
 * are short so that one hanging server does not hold a worker for minutes (Nodemailer's defaults are long).
 */
export interface OutgoingMail {
  /** The outbox id: the stable Message-ID, so a mail re-sent after a crash is recognisably the same one. */
  id: string;
  to: string;
  lang: Lang;
  subject: string;
  text: string;
  html: string;
}

export interface SentMail {
  messageId: string;
  /** The .eml written, for the file transport. */
  file?: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  /** Where mail goes, without credentials: for the log line at start-up. */
  readonly destination: string;
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

export type MailConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>;

/** `Suara <no-reply@suara.go.id>` → `suara.go.id`, for Message-IDs. */
function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)?.[1] ?? 'suara.localhost';
}

function message(config: MailConfig, mail: OutgoingMail) {
  return {
    from: config.mailFrom,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${mail.id}.outbox@${domainOf(config.mailFrom)}>`,
    // Readable as it is stored (an .eml opened in an editor), and safe for 7-bit relays.
    textEncoding: 'quoted-printable' as const,
    headers: {
      'Content-Language': mail.lang,
      // RFC 3834: an automatic message, so auto-responders do not answer it.
      'Auto-Submitted': 'auto-generated',
    },
  };
}

function smtpTransport(config: MailConfig & { smtpUrl: string }): MailTransport {
  const transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const url = new URL(config.smtpUrl);
  return {
    kind: 'smtp',
    destination: `${url.protocol}//${url.host}`,
    async send(mail) {
      const info = await transporter.sendMail(message(config, mail));
      return { messageId: info.messageId };
    },
    close: () => transporter.close(),
  };
}

function fileTransport(config: MailConfig): MailTransport {
  const folder = path.join(config.dataDir, 'mail');
  // Nodemailer builds the raw RFC 5322 message in memory; we only choose where it lands.
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    destination: folder,
    async send(mail) {
      const info = await transporter.sendMail(message(config, mail));
      await mkdir(folder, { recursive: true });
      const time = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(folder, `${time}-${mail.id}.eml`);
      // Written whole, then renamed: whoever watches the folder never opens half a message.
      const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, file);
      return { messageId: info.messageId, file };
    },
    close: () => transporter.close(),
  };
}

export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl ? smtpTransport({ ...config, smtpUrl: config.smtpUrl }) : fileTransport(config);
}
