import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on a loopback port for mail specs (the `smtp-server` package): it accepts what Nodemailer
 * sends, keeps every message with its envelope, and decodes just enough MIME to read the parts.
 */
export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
}

export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  /** Recipients answered with a permanent 550 at RCPT TO. */
  readonly rejecting = new Set<string>();
  private waiters: { count: number; resolve: () => void }[] = [];

  private readonly server: SMTPServer;
  port = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (!this.rejecting.has(address.address)) return callback();
        callback(Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.accept(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((to) => to.address),
          );
          callback();
        });
      },
    });
  }

  /** Starts listening on 127.0.0.1 (on `port`, or a free one). */
  static async start(port = 0): Promise<TestMailServer> {
    const mail = new TestMailServer();
    await new Promise<void>((resolve, reject) => {
      mail.server.once('error', reject);
      mail.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = mail.server.server.address();
    mail.port = typeof address === 'object' && address ? address.port : port;
    return mail;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves once `count` messages in all have arrived (the spec's timeout bounds the wait). */
  waitFor(count: number): Promise<ReceivedMail[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve) => this.waiters.push({ count, resolve: () => resolve(this.received) }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(raw: string, envelopeTo: string[]): void {
    const { headers, text, html } = parseMail(raw);
    this.received.push({ envelopeTo, raw, headers, subject: headers.subject ?? '', text, html });
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header value. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([\w-]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, data: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(value: string): string {
  const bytes = value
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_all, hex: string) => `%${hex}`)
    .replace(/%(?![0-9A-F]{2})/gi, '%25');
  return decodeURIComponent(bytes);
}

function splitPart(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Headers of the whole message, and its text/plain and text/html parts decoded (CRLF made LF). */
export function parseMail(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const top = splitPart(raw);
  const found = { text: '', html: '' };
  const visit = (part: { headers: Record<string, string>; body: string }) => {
    const type = part.headers['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      const pieces = part.body.split(`--${boundary}`).slice(1);
      for (const piece of pieces) if (!piece.startsWith('--')) visit(splitPart(piece.replace(/^\r?\n/, '')));
      return;
    }
    const content = decodeBody(part.headers, part.body).replace(/\r\n/g, '\n');
    if (/^text\/html/i.test(type)) found.html ||= content;
    else if (/^text\/plain/i.test(type)) found.text ||= content;
  };
  visit(top);
  return { headers: top.headers, ...found };
}
