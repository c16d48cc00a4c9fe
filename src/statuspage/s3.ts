/**
 * A minimal S3 PutObject, signed with AWS Signature Version 4, for any
 * S3-compatible bucket (AWS, MinIO, R2, ...). Path-style addressing: the
 * configured URL is `https://endpoint/bucket[/prefix]`.
 */
import { createHash, createHmac } from 'node:crypto';

export interface S3Target {
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Lower-case header names; `host`, `x-amz-date` and `x-amz-content-sha256` are added. */
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  now: Date;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(pathname: string): string {
  return pathname
    .split('/')
    .map((seg) => encode(decodeURIComponent(seg)))
    .join('/');
}

/** Returns every header to send, Authorization included. */
export function signV4(input: SignInput): Record<string, string> {
  const amzDate = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': input.payloadHash,
  };
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names
    .map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const query = [...input.url.searchParams]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort((a, b) =>
      a[0] === b[0]
        ? (a[1] as string).localeCompare(b[1] as string)
        : (a[0] as string) < (b[0] as string)
          ? -1
          : 1,
    )
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    input.method,
    canonicalPath(input.url.pathname),
    query,
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region), input.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** PUTs one object. Throws with the status and the start of S3's error body on failure. */
export async function putObject(
  target: S3Target,
  key: string,
  body: Buffer,
  contentType: string,
  cacheControl: string,
  now: Date = new Date(),
): Promise<void> {
  const base = new URL(target.url);
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/${key.split('/').map(encode).join('/')}`, base);
  const headers = signV4({
    method: 'PUT',
    url,
    headers: { 'content-type': contentType, 'cache-control': cacheControl },
    payloadHash: sha256(body),
    region: target.region,
    service: 's3',
    accessKeyId: target.accessKeyId,
    secretAccessKey: target.secretAccessKey,
    now,
  });
  const { host: _host, ...send } = headers;
  const res = await fetch(url, { method: 'PUT', headers: send, body, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 300);
    throw new Error(`S3 PUT ${key} answered ${res.status}: ${text}`);
  }
}
