/**
 * Email over SMTP: a nodemailer pool whose sockets have Nagle's algorithm
 * off (with it on, each message waits on a delayed ACK, about 40 ms),
 * text and HTML parts, List-Unsubscribe with RFC 8058 one-click, a
 * Message-ID derived from the delivery id, optional DKIM.
 */
import net from 'node:net';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { renderEmail } from './email-render.ts';
import { Secret, Value } from './settings.ts';
import { defineChannel, type SendResult } from './types.ts';

/**
 * Whether a permanent reply says the mailbox is not there and will not be (a hard bounce): by its
 * enhanced status code when it has one (RFC 3463: 5.1.x a bad address, 5.2.1 a disabled mailbox;
 * 5.7.x, a policy refusal, is not about the address), else by the reply code (550, 551, 553).
 */
function mailboxGone(code: number, message: string): boolean {
  const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(message);
  if (enhanced) return enhanced[1] === '1' || (enhanced[1] === '2' && enhanced[2] === '1');
  return code === 550 || code === 551 || code === 553;
}

/**
 * Whether a temporary reply is about the mailbox (a soft bounce should the delivery give up): by
 * its enhanced status code when it has one (4.1.x the address, 4.2.x the mailbox: full, disabled
 * for now; 4.3.x, 4.4.x, 4.7.x are the server, the network and policy), else 450 (mailbox
 * unavailable) or 452 (insufficient storage).
 */
function mailboxTroubled(code: number, message: string): boolean {
  const enhanced = /\b4\.(\d{1,3})\.\d{1,3}\b/.exec(message);
  if (enhanced) return enhanced[1] === '1' || enhanced[1] === '2';
  return code === 450 || code === 452;
}

/**
 * SMTP reply codes: 4xx is temporary (retry), 5xx permanent, and a permanent one about the
 * mailbox suppresses the address; a temporary one about it counts as a soft bounce when the
 * delivery runs out of attempts on it. Connection errors retry.
 */
function smtpFailure(err: unknown): SendResult {
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string };
  const reason = (e.message ?? String(err)).slice(0, 300);
  if (typeof e.responseCode === 'number') {
    const said = e.response ?? reason;
    const gone = e.responseCode >= 500 && mailboxGone(e.responseCode, said);
    const soft = e.responseCode < 500 && mailboxTroubled(e.responseCode, said);
    return {
      ok: false,
      retry: e.responseCode < 500,
      reason,
      ...(gone && { gone: true }),
      ...(soft && { softBounce: true }),
    };
  }
  return { ok: false, retry: true, reason: e.code ? `${e.code}: ${reason}` : reason };
}

export const emailSmtp = defineChannel({
  type: 'email-smtp',
  kind: 'email',
  variant: null,
  maxLength: null,
  reach: { subscribers: ['email'] },
  settings: {
    url: Secret.describe('smtp://user:pass@host:port or smtps://… (?tls=false skips STARTTLS); a secret.'),
    from: z.string().min(3),
    connections: z.number().int().min(1).max(100).default(5).describe('Pooled SMTP connections.'),
    dkim: z
      .strictObject({ domain: z.string().min(1), selector: z.string().min(1), private_key: Value })
      .optional(),
  },
  secrets: ['url', 'dkim'],
  // One send per pooled connection.
  lane: (s) => ({ concurrency: s.connections, maxAttempts: 10, retryBaseMs: 10_000, updates: 'all' }),
  create(name, settings) {
    const url = new URL(settings.url);
    const secure = url.protocol === 'smtps:';
    const host = url.hostname;
    const port = Number(url.port || (secure ? 465 : 587));
    const transport = nodemailer.createTransport({
      pool: true,
      host,
      port,
      secure,
      maxConnections: settings.connections,
      maxMessages: Number.POSITIVE_INFINITY,
      ...(url.username && {
        auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      }),
      ...(url.searchParams.get('tls') === 'false' && { ignoreTLS: true }),
      connectionTimeout: settings.timeout_ms ?? 15_000,
      socketTimeout: settings.timeout_ms ?? 30_000,
      ...(settings.dkim && {
        dkim: {
          domainName: settings.dkim.domain,
          keySelector: settings.dkim.selector,
          privateKey: settings.dkim.private_key,
        },
      }),
      // Our own sockets, so TCP_NODELAY can be set before the first byte.
      getSocket: (
        _options: unknown,
        callback: (err: Error | null, socket?: { connection: net.Socket }) => void,
      ) => {
        const socket = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
        socket.setNoDelay(true);
        const ready = secure ? 'secureConnect' : 'connect';
        const onError = (err: Error) => callback(err);
        socket.once('error', onError);
        socket.once(ready, () => {
          socket.removeListener('error', onError);
          callback(null, { connection: socket });
        });
      },
    } as Parameters<typeof nodemailer.createTransport>[0]);
    const fromDomain = settings.from.replace(/^.*@/, '').replace(/>.*$/, '');

    return {
      name,
      type: 'email-smtp',
      async send(target, message) {
        const mail = renderEmail(message);
        try {
          await transport.sendMail({
            from: settings.from,
            to: target.contact,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            messageId: `<${message.id}@${fromDomain}>`,
            headers: mail.headers,
          });
          // The Message-ID is derived from the delivery id, so there is nothing new to record.
          return { ok: true };
        } catch (err) {
          return smtpFailure(err);
        }
      },
      async close() {
        transport.close();
      },
    };
  },
});
