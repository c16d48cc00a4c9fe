/**
 * Bluesky's and X's client libraries, loaded on first use by posting or
 * listening alike: @atproto/api alone holds some 64 MB once loaded, so a
 * process whose plan has no such account never loads them. @atproto/api is
 * ESM only; twitter-api-v2 is imported too, so both are awaited alike.
 */
import { importOnFirstUse } from '../domain/first-use.ts';

export const atproto = importOnFirstUse(() => import('@atproto/api'));
export const twitterApi = importOnFirstUse(() => import('twitter-api-v2'));

export type TwitterLibrary = Awaited<ReturnType<typeof twitterApi>>;
