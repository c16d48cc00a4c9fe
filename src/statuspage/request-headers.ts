/** The request headers an answer from the status page's memory depends on. */
import type { IncomingMessage } from 'node:http';

export interface RequestHeaders {
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  acceptLanguage: string | undefined;
}

/** The three headers an answer from memory depends on, read from the raw list: building `req.headers` costs more than the rest of the answer. */
export function requestHeaders(req: IncomingMessage): RequestHeaders {
  const found: RequestHeaders = {
    acceptEncoding: undefined,
    ifNoneMatch: undefined,
    acceptLanguage: undefined,
  };
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (name.length === 15) {
      const lower = name.toLowerCase();
      if (lower === 'accept-encoding') found.acceptEncoding = raw[i + 1];
      else if (lower === 'accept-language') found.acceptLanguage = raw[i + 1];
    } else if (name.length === 13 && name.toLowerCase() === 'if-none-match') found.ifNoneMatch = raw[i + 1];
  }
  return found;
}
