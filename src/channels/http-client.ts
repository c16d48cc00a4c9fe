/**
 * The one HTTP client every user-supplied URL goes through (webhooks, chat
 * webhooks, web push endpoints): private addresses refused at connect time
 * on the resolved address, a timeout on every request, redirects never
 * followed, response bodies read to a small limit.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { z } from 'zod';
import { isPrivateAddress, PrivateAddressError } from './net-guard.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpClientOptions {
  allowPrivateNetwork: boolean;
  /** Connections per origin. */
  connections?: number;
  timeoutMs?: number;
}

interface PostOptions {
  timeoutMs?: number;
  /** False when a 2xx answer's body is of no use: it is then discarded unread (the body is ''). */
  successBody?: boolean;
}

export interface HttpClient {
  post(
    url: string,
    body: string | Buffer,
    headers: Record<string, string>,
    options?: PostOptions,
  ): Promise<HttpResponse>;
  /** Another method (a REST API's GET, PUT or DELETE); the body, if any, as given. */
  send(
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<HttpResponse>;
  close(): Promise<void>;
}

const maxBody = 64 * 1024;

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) return callback(new PrivateAddressError(hostname, refused.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`No address for ${hostname}`), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeout = options.timeoutMs ?? 10_000;
  const base = buildConnector({ lookup: guardedLookup(options.allowPrivateNetwork), timeout });
  const agent = new Agent({
    connections: options.connections ?? 16,
    pipelining: 1,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: (opts, callback) => {
      const host = opts.hostname.replace(/^\[|\]$/g, '');
      // IP literals skip DNS, so they are checked here; names are checked in the lookup.
      if (!options.allowPrivateNetwork && isIP(host) && isPrivateAddress(host)) {
        callback(new PrivateAddressError(opts.hostname, host), null);
        return;
      }
      base(opts, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        // Belt and braces: the address actually connected to.
        const remote = socket.remoteAddress;
        if (!options.allowPrivateNetwork && remote && isPrivateAddress(remote)) {
          socket.destroy();
          return callback(new PrivateAddressError(opts.hostname, remote), null);
        }
        socket.setNoDelay(true);
        return callback(null, socket);
      });
    },
  });

  const checkUrl = (url: string) => {
    if (!url.startsWith('https://') && !url.startsWith('http://')) {
      throw new Error(`Only http and https URLs are allowed: ${url.slice(0, 100)}`);
    }
  };
  return {
    async send(method, url, body, headers) {
      checkUrl(url);
      const response = await request(url, { method, body: body ?? null, headers, dispatcher: agent });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: await readCapped(response.body),
      };
    },
    async post(url, body, headers, { timeoutMs, successBody = true } = {}) {
      checkUrl(url);
      const response = await request(url, {
        method: 'POST',
        body,
        headers,
        dispatcher: agent,
        // The agent's connect, headers and body timeouts bound every request. (An AbortSignal
        // timer per request would hold each request's memory for the whole timeout.)
        ...(timeoutMs !== undefined &&
          timeoutMs !== timeout && { headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
      });
      const status = response.statusCode;
      if (!successBody && status >= 200 && status < 300) {
        await response.body.dump({ limit: maxBody });
        return { status, headers: response.headers, body: '' };
      }
      return { status, headers: response.headers, body: await readCapped(response.body) };
    },
    close: () => agent.close(),
  };
}

/** Reads at most `maxBody` bytes of a response and discards the rest. */
function readCapped(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size < maxBody) chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => resolve(Buffer.concat(chunks).subarray(0, maxBody).toString('utf8')));
    stream.on('error', reject);
  });
}

export function header(response: HttpResponse, name: string): string | null {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * A provider's JSON answer read with its schema: a body that is not JSON, or
 * not of that shape, is `undefined`, never an exception (the send's outcome
 * does not hang on the provider's extras).
 */
export function answerOf<S extends z.ZodType>(schema: S, body: string): z.output<S> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
