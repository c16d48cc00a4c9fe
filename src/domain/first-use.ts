/**
 * Libraries only some plans or requests use are loaded on their first use,
 * not when a process starts: each one loaded at start stays in every
 * worker's heap, and V8 lets the old generation grow to about four times
 * what stays live before collecting it, so a fan-out's peak RSS grows by
 * several times their size (docs/performance.md, "Peak RSS";
 * test/loaded-at-start.test.ts lists them).
 *
 * A CommonJS package is required, synchronously. An ESM-only package
 * (openid-client, @atproto/api) is imported and its callers await the
 * promise: Node's `require` of an ES module fails on one with top-level
 * await, so nothing here claims to load such a package synchronously.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function once<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => {
    loaded ??= { value: load() };
    return loaded.value;
  };
}

/**
 * A CommonJS package (or one that also ships CommonJS), required on the
 * first call: `requireOnFirstUse<typeof import('web-push')>('web-push')`.
 */
export function requireOnFirstUse<T>(specifier: string): () => T {
  return once(() => require(specifier) as T);
}

/**
 * An ESM-only package, imported on the first call; later calls share the
 * promise: `importOnFirstUse(() => import('openid-client'))`.
 */
export function importOnFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  return once(load);
}
