/**
 * Reading another status page's API: JSON over HTTPS with the operator's
 * key, a timeout on every request, every answer checked against the shape
 * its documentation gives, and lists read page by page until one comes
 * back short. Everything is read before anything is written, so a source
 * that fails half way changes nothing.
 */
import type { z } from 'zod';

export class SourceError extends Error {}

export interface SourceApi {
  /** The API's root, no trailing slash. */
  base: string;
  headers: Record<string, string>;
  timeoutMs?: number;
}

const MAX_PAGES = 10_000;

const ATTEMPTS = 5;

/**
 * One GET, tried again after a network error, a 429 (after its Retry-After:
 * Statuspage allows about one request a second per key) or a 5xx.
 */
async function get(api: SourceApi, url: string): Promise<{ response: Response; text: string }> {
  for (let attempt = 1; ; attempt += 1) {
    let failure: string;
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json', ...api.headers },
        redirect: 'error',
        signal: AbortSignal.timeout(api.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      if (response.status !== 429 && response.status < 500) return { response, text };
      if (attempt >= ATTEMPTS) return { response, text };
      const after = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 60) * 1000 : attempt * 1000);
      continue;
    } catch (err) {
      failure =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    if (attempt >= ATTEMPTS) throw new SourceError(`GET ${url} failed: ${failure}`);
    await sleep(attempt * 500);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson<T extends z.ZodType>(api: SourceApi, path: string, schema: T): Promise<z.infer<T>> {
  const url = `${api.base}${path}`;
  const { response, text } = await get(api, url);
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? ' (check the API key)' : '';
    throw new SourceError(`GET ${url} answered ${response.status}${hint}: ${text.slice(0, 200)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SourceError(`GET ${url} did not answer JSON.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceError(
      `GET ${url} answered something other than the documented shape: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not valid'}.`,
    );
  }
  return parsed.data;
}

/**
 * Every item of a paged list. `pageAt(n)` is the path of the n-th page (from
 * 0); `read` takes an answer apart into its items and whether more follow.
 * A page that repeats the previous one ends the list too, for servers that
 * ignore the paging parameters.
 */
export async function readAll<T extends { id: string | number }, A>(
  api: SourceApi,
  pageAt: (n: number) => string,
  schema: z.ZodType<A>,
  read: (answer: A) => { items: T[]; more: boolean },
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const { items, more } = read(await getJson(api, pageAt(n), schema));
    const fresh = items.filter((i) => !seen.has(String(i.id)));
    for (const i of fresh) seen.add(String(i.id));
    all.push(...fresh);
    if (!more || fresh.length === 0) return all;
  }
  throw new SourceError(`${api.base}${pageAt(0)} went on for more than ${MAX_PAGES} pages.`);
}

/** An instant as ISO 8601 in UTC; a time without a zone is read as UTC. */
export function utc(text: string): string {
  const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text.replace(' ', 'T')}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime())) throw new SourceError(`"${text}" is not a date and time.`);
  return at.toISOString();
}

/** `env:NAME` resolved in `env`; the key itself is never taken on the command line, where `ps` shows it. */
export function keyFrom(reference: string, env: Readonly<Record<string, string | undefined>>): string {
  const match = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(reference);
  if (!match?.[1])
    throw new SourceError('Give the API key as env:NAME, naming the environment variable that holds it.');
  const value = env[match[1]];
  if (!value) throw new SourceError(`The environment variable ${match[1]} is not set.`);
  return value;
}
