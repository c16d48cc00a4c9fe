/** A real SMTP server (npm smtp-server) that keeps what it receives, for email tests and benchmarks. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  /** The text part, quoted-printable decoded. */
  text: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  mails: Mail[];
  /** Messages accepted (also counted when not kept). */
  count: number;
  /** Answer every transaction with a temporary failure (451) while true. */
  failing: boolean;
  /** Recipients refused for good: 550 5.1.1, no such mailbox. */
  rejected: Set<string>;
  /** Recipients refused for now, every time: 452 4.2.2, mailbox full. */
  full: Set<string>;
  /** Recipients refused the first time only, as greylisting does: 450 4.2.0. */
  greylisted: Set<string>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = Buffer.from(
    s
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

/** A header as read: its RFC 2047 encoded words (=?UTF-8?Q?…?= or ?B?) decoded. */
export function decodedHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, how: string, text: string) =>
      how.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replaceAll('_', ' ')),
    );
}

export function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  // The text/plain part, wherever it sits.
  const m = /content-type: text\/plain[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)(?:\r\n--|$)/i.exec(raw);
  const encodedQp =
    /content-type: text\/plain[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?content-transfer-encoding: quoted-printable/i.test(
      raw,
    );
  const body = m?.[1] ?? '';
  return { headers, text: encodedQp ? decodeQuotedPrintable(body) : body };
}

export async function startSmtpSink(options: { port?: number; keep?: boolean } = {}): Promise<SmtpSink> {
  const keep = options.keep ?? true;
  const sink: SmtpSink = {
    port: 0,
    url: '',
    mails: [],
    count: 0,
    failing: false,
    rejected: new Set(),
    full: new Set(),
    greylisted: new Set(),
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (sink.rejected.has(address.address.toLowerCase())) {
        const err = new Error(
          `5.1.1 <${address.address}>: Recipient address rejected: no such mailbox`,
        ) as Error & {
          responseCode: number;
        };
        err.responseCode = 550;
        return callback(err);
      }
      const refuse = (code: number, text: string) =>
        callback(Object.assign(new Error(`${text} <${address.address}>`), { responseCode: code }));
      if (sink.full.has(address.address.toLowerCase())) return refuse(452, '4.2.2 Mailbox full');
      if (sink.greylisted.delete(address.address.toLowerCase()))
        return refuse(450, '4.2.0 Greylisted, try again later');
      if (sink.failing) {
        const err = new Error('Try again later') as Error & { responseCode: number };
        err.responseCode = 451;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (keep) chunks.push(c);
      });
      stream.on('end', () => {
        if (keep) {
          const raw = Buffer.concat(chunks).toString('utf8');
          const { headers, text } = parseMail(raw);
          sink.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers,
            text,
          });
        }
        sink.count += 1;
        callback();
      });
    },
  });
  // A client killed mid-session resets its connection; that is the test, not a failure of the server.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}/?tls=false`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
