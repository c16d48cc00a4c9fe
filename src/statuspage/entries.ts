/**
 * Rendered files turned into ready-to-send responses: the bytes in identity,
 * gzip and brotli, a strong ETag per encoding, and the header lists built
 * once, so answering a request is a map lookup and one write.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { htmlSecurityHeaders } from '../domain/security-headers.ts';
import type { SurfaceFile } from './surface.ts';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export type Encoding = 'identity' | 'gzip' | 'br';

/** Short enough that a change reaches readers quickly, long enough that a spike is absorbed by caches. */
export const CACHE_CONTROL = 'public, max-age=10, stale-while-revalidate=60';
/** A private page is for its reader only: no shared cache keeps it, the browser asks again each time. */
const PRIVATE_CACHE_CONTROL = 'private, no-cache';

/** Who may read a file: anyone (the public page), or the readers of an audience's private page. */
export type Visibility = 'public' | 'private';

interface Variant {
  body: Buffer;
  etag: string;
  /** Flat [name, value, ...] list for `writeHead`, for 200 and for 304. */
  headers: string[];
  notModified: string[];
}

export interface Entry {
  type: string;
  /** The ETag's opaque part, shared by the three encodings. */
  tag: string;
  visibility: Visibility;
  /**
   * Compressed fast (right after a change, so it shows at once) or at the
   * best ratio (done later, in the background). The bytes differ, so each
   * has its own ETags; the content, and `tag`, are the same.
   */
  polished: boolean;
  identity: Variant;
  gzip: Variant;
  br: Variant;
}

const htmlHeaders = Object.entries(htmlSecurityHeaders)
  .filter(([name]) => name !== 'x-content-type-options')
  .flat();

/**
 * The header list as fresh, unconcatenated strings. Node.js checks every
 * header value of every answer with a regular expression, and V8 keeps a
 * string built by concatenation (the ETag, the `Vary` with
 * `accept-language`) as a pair of parts that each check must unwrap again:
 * 0.49 against 0.19 µs per request in V8's regular-expression builtin,
 * profiled against the bare server (docs/performance.md). A JSON round
 * trip, once per rendered entry, gives each value as one sequential string.
 */
const sequential = (list: string[]): string[] => JSON.parse(JSON.stringify(list)) as string[];

function variant(
  type: string,
  body: Buffer,
  etag: string,
  encoding: Encoding,
  visibility: Visibility,
): Variant {
  const common =
    visibility === 'public'
      ? [
          'etag',
          etag,
          'cache-control',
          CACHE_CONTROL,
          'vary',
          'accept-encoding',
          'access-control-allow-origin',
          '*',
        ]
      : [
          'etag',
          etag,
          'cache-control',
          PRIVATE_CACHE_CONTROL,
          'vary',
          'accept-encoding, cookie, authorization',
          'x-robots-tag',
          'noindex, nofollow',
        ];
  const headers = [
    'content-type',
    type,
    'content-length',
    String(body.length),
    ...common,
    'x-content-type-options',
    'nosniff',
  ];
  if (encoding !== 'identity') headers.push('content-encoding', encoding);
  if (type.startsWith('text/html')) headers.push(...htmlHeaders);
  return { body, etag, headers: sequential(headers), notModified: sequential(common) };
}

/**
 * Two ways to compress. Measured on a page with 84 incidents in seven
 * languages (619 files, 2.7 MB): brotli 5 and gzip 6 take about 0.3 s for
 * the lot, brotli 11 about 10 s for 12 % fewer bytes (docs/performance.md).
 * So a change is served compressed fast at once, and the best compression
 * follows when the page is quiet.
 */
const levels = {
  fast: { gzip: 6, brotli: 5, suffix: 'f' },
  best: { gzip: 9, brotli: 11, suffix: '' },
} as const;

async function compressed(
  type: string,
  raw: Buffer,
  tag: string,
  visibility: Visibility,
  quality: keyof typeof levels,
): Promise<Entry> {
  const level = levels[quality];
  const [gz, br] = await Promise.all([
    gzip(raw, { level: level.gzip }),
    brotli(raw, {
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]:
          quality === 'best' && raw.length > 256 * 1024 ? 9 : level.brotli,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
  ]);
  return {
    type,
    tag,
    visibility,
    polished: quality === 'best',
    identity: variant(type, raw, `"${tag}"`, 'identity', visibility),
    gzip: variant(type, gz, `"${tag}-gz${level.suffix}"`, 'gzip', visibility),
    br: variant(type, br, `"${tag}-br${level.suffix}"`, 'br', visibility),
  };
}

/**
 * Builds an entry compressed fast, or returns the previous one (polished or
 * not) when the content did not change.
 */
async function buildEntry(
  file: SurfaceFile,
  previous: Entry | undefined,
  visibility: Visibility = 'public',
): Promise<Entry> {
  const raw = Buffer.from(file.body, 'utf8');
  const tag = createHash('sha256')
    .update(file.type)
    .update('\0')
    .update(raw)
    .digest('base64url')
    .slice(0, 27);
  if (previous && previous.tag === tag && previous.visibility === visibility) return previous;
  return compressed(file.type, raw, tag, visibility, 'fast');
}

/** Every file's entry, in the order of `files`, reusing `previous` entries whose content did not change. */
export async function buildEntries(
  files: ReadonlyMap<string, SurfaceFile>,
  previous: ReadonlyMap<string, Entry> | undefined,
  visibility: Visibility = 'public',
): Promise<Map<string, Entry>> {
  const built = await Promise.all(
    [...files].map(
      async ([path, file]) => [path, await buildEntry(file, previous?.get(path), visibility)] as const,
    ),
  );
  return new Map(built);
}

/** The same entry compressed at the best ratio: same content and `tag`, smaller bytes, other ETags. */
export function polishEntry(entry: Entry): Promise<Entry> {
  return compressed(entry.type, entry.identity.body, entry.tag, entry.visibility, 'best');
}

const languageVaried = new WeakMap<Entry, Entry>();

/**
 * The same bytes answered at an address where the reader's `Accept-Language`
 * chose them: every answer, 304 included, says `Vary: Accept-Language` so a
 * shared cache keeps one copy per header. Made once per rendered entry.
 */
export function varyingByLanguage(entry: Entry): Entry {
  const known = languageVaried.get(entry);
  if (known) return known;
  const vary = (headers: string[]) =>
    headers.map((value, i) =>
      i % 2 === 1 && headers[i - 1] === 'vary' ? `${value}, accept-language` : value,
    );
  const again = (v: Variant): Variant => ({
    ...v,
    headers: sequential(vary(v.headers)),
    notModified: sequential(vary(v.notModified)),
  });
  const varied = { ...entry, identity: again(entry.identity), gzip: again(entry.gzip), br: again(entry.br) };
  languageVaried.set(entry, varied);
  return varied;
}

/** The best encoding the client accepts (brotli, then gzip), honouring q=0. */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  if (!header.includes('q=')) {
    if (header.includes('br')) return 'br';
    if (header.includes('gzip')) return 'gzip';
    return 'identity';
  }
  let br = false;
  let gz = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (!(weight > 0)) continue;
    if (name === 'br') br = true;
    else if (name === 'gzip' || name === '*') gz = true;
  }
  return br ? 'br' : gz ? 'gzip' : 'identity';
}

const etagSuffixes = new Set(['', '-gz', '-br', '-gzf', '-brf']);

/** Whether an If-None-Match header names this entry, in any of its encodings (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  // The entry's tag in any encoding, compressed fast or polished: `"TAG"`, `"TAG-gz"`, `"TAG-brf"`...
  for (let at = header.indexOf(tag); at > 0; at = header.indexOf(tag, at + 1)) {
    if (header.charCodeAt(at - 1) !== 34) continue;
    const end = header.indexOf('"', at + tag.length);
    if (end >= 0 && etagSuffixes.has(header.slice(at + tag.length, end))) return true;
  }
  return false;
}
