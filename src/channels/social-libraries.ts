/**
 * Bluesky's and X's client libraries, loaded on first use by posting or
 * listening alike: @atproto/api alone holds some 64 MB once loaded, so a
 * process whose plan has no such account never loads them.
 */
const loadAtproto = () => import('@atproto/api');
const loadTwitter = () => import('twitter-api-v2');
let atprotoLibrary: ReturnType<typeof loadAtproto> | undefined;
let twitterLibrary: ReturnType<typeof loadTwitter> | undefined;

export const atproto = () => {
  atprotoLibrary ??= loadAtproto();
  return atprotoLibrary;
};

export const twitterApi = () => {
  twitterLibrary ??= loadTwitter();
  return twitterLibrary;
};

export type TwitterLibrary = Awaited<ReturnType<typeof loadTwitter>>;
