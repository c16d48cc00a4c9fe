/**
 * Amazon SNS message signatures (docs/adr/0017-sns-signatures.md): the
 * documented string to sign, RSA with SHA-1 (SignatureVersion 1) or SHA-256
 * (2), against the signing certificate at `SigningCertURL`, which is fetched
 * only from an allowed host, over HTTPS, and cached. The same allowed hosts
 * bound `SubscribeURL`, the one link Crier visits to confirm a subscription.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { request } from 'undici';
import { z } from 'zod';
import { CrierError } from '../domain/errors.ts';

/** An SNS message as it arrives over HTTP/S, bounded (its `Message` is the publisher's: an alarm, an SES notification). */
export const SnsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().max(200),
  TopicArn: z.string().max(1000),
  Message: z.string().max(300_000),
  Timestamp: z.string().max(64),
  SignatureVersion: z.string().max(10),
  Signature: z.string().max(4000),
  SigningCertURL: z.string().max(2000),
  Subject: z.string().max(1000).optional(),
  SubscribeURL: z.string().max(4000).optional(),
  Token: z.string().max(4000).optional(),
  UnsubscribeURL: z.string().max(4000).optional(),
});

/** The fields an SNS message is signed over, by type, in the documented order. */
const signedFields = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;
type SnsMessageType = keyof typeof signedFields;

export type SnsMessage = Readonly<Record<string, string | undefined>> & { Type: SnsMessageType };

/** `Name\nvalue\n` for each signed field the message has (Subject is signed only when present). */
function stringToSign(message: SnsMessage): string {
  let out = '';
  for (const field of signedFields[message.Type]) {
    const value = message[field];
    if (value === undefined) continue;
    out += `${field}\n${value}\n`;
  }
  return out;
}

const defaultHosts = ['sns.*.amazonaws.com', 'sns.*.amazonaws.com.cn'];

/**
 * Whether a URL is on the allowed list: an entry is a host name, where `*`
 * stands for one label (`sns.*.amazonaws.com`), reached over HTTPS; or a
 * whole `http://host:port` origin, for a stand-in on a test machine.
 */
function allowedUrl(raw: string, allowed: readonly string[]): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  for (const entry of allowed) {
    if (entry.includes('://')) {
      if (url.origin === new URL(entry).origin) return url;
      continue;
    }
    if (url.protocol !== 'https:' || url.port !== '') continue;
    const pattern = new RegExp(
      `^${entry
        .split('.')
        .map((label) => (label === '*' ? '[a-z0-9-]+' : label.replace(/[^a-z0-9-]/gi, '\\$&')))
        .join('\\.')}$`,
      'i',
    );
    if (pattern.test(url.hostname)) return url;
  }
  return null;
}

export interface SnsVerifierOptions {
  /** CRIER_INGEST_SNS_HOSTS; Amazon's SNS hosts by default. */
  allowedHosts?: readonly string[];
  now?: () => Date;
  timeoutMs?: number;
}

const maxCertificateBytes = 16 * 1024;
const cacheSize = 64;

export class SnsVerifier {
  readonly allowedHosts: readonly string[];
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  /** Signing certificates by URL: SNS signs with few, and rotates them rarely. */
  readonly #certificates = new Map<string, Promise<X509Certificate>>();

  constructor(options: SnsVerifierOptions = {}) {
    this.allowedHosts = options.allowedHosts?.length ? options.allowedHosts : defaultHosts;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Throws signature_invalid unless the message is signed by a certificate from an allowed host. */
  async verify(message: SnsMessage): Promise<void> {
    const version = message.SignatureVersion;
    if (version !== '1' && version !== '2') {
      throw new CrierError('signature_invalid', 'SignatureVersion must be 1 or 2.');
    }
    const certUrl = allowedUrl(message.SigningCertURL ?? '', this.allowedHosts);
    if (!certUrl?.pathname.endsWith('.pem')) {
      throw new CrierError(
        'signature_invalid',
        'SigningCertURL is not a certificate on an allowed SNS host.',
      );
    }
    const certificate = await this.#certificate(certUrl.href);
    const now = this.#now().getTime();
    if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) {
      throw new CrierError('signature_invalid', 'The signing certificate is not valid at this time.');
    }
    const verifier = createVerify(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(stringToSign(message), 'utf8');
    const signature = Buffer.from(message.Signature ?? '', 'base64');
    if (signature.length === 0 || !verifier.verify(certificate.publicKey, signature)) {
      throw new CrierError('signature_invalid', 'The SNS message signature does not verify.');
    }
  }

  /** Visits a SubscribeURL on an allowed host; true when SNS answered 2xx. */
  async confirm(subscribeUrl: string): Promise<boolean> {
    const url = allowedUrl(subscribeUrl, this.allowedHosts);
    if (!url) return false;
    // undici's request follows no redirect: the visit stays on the allowed host.
    const res = await request(url, {
      method: 'GET',
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
    await res.body.dump({ limit: 64 * 1024 });
    return res.statusCode >= 200 && res.statusCode < 300;
  }

  #certificate(url: string): Promise<X509Certificate> {
    const cached = this.#certificates.get(url);
    if (cached) return cached;
    const pending = this.#fetchCertificate(url);
    if (this.#certificates.size >= cacheSize) this.#certificates.clear();
    this.#certificates.set(url, pending);
    // A failed fetch is not kept: the next message tries again.
    pending.catch(() => this.#certificates.delete(url));
    return pending;
  }

  async #fetchCertificate(url: string): Promise<X509Certificate> {
    let text: string;
    try {
      const res = await request(url, {
        method: 'GET',
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxCertificateBytes) {
          res.body.destroy();
          throw new Error('certificate too large');
        }
        chunks.push(chunk as Buffer);
      }
      if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode}`);
      text = Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      throw new CrierError(
        'signature_invalid',
        `The signing certificate could not be fetched: ${(err as Error).message}`,
      );
    }
    try {
      return new X509Certificate(text);
    } catch {
      throw new CrierError('signature_invalid', 'The signing certificate could not be read.');
    }
  }
}
