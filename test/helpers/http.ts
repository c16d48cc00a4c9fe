/** An app on a fresh test database, driven through `app.inject()`. */
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { type App, createApp } from '../../src/app.ts';
import type { Role } from '../../src/domain/permissions.ts';
import type { CrierServer } from '../../src/http/server.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { openTestDb, type TestClock, type TestDialect, testConfig, testCtx } from './db.ts';

export interface TestApp {
  app: App;
  /** A bearer token per role. */
  tokens: Record<Role, string>;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

/** Where two JSON values first differ: a missing key, an extra one, or a changed value. */
function firstDifference(before: unknown, after: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(before, after)) return undefined;
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in b)) return `${path}.${key} dropped`;
      if (!(key in a)) return `${path}.${key} added`;
      const inner = firstDifference(a[key], b[key], `${path}.${key}`);
      if (inner) return inner;
    }
  }
  return `${path || '.'} changed`;
}

/**
 * Response schemas serialize only the fields they declare: this records every answer whose
 * body lost or changed anything on the way through its schema, so a field a service returns
 * and the route's schema forgot fails the test instead of vanishing from the API.
 */
export function watchSerialization(server: CrierServer): () => string[] {
  const seen = new WeakMap<object, unknown>();
  const problems: string[] = [];
  server.addHook('preSerialization', async (request, _reply, payload) => {
    if (request.url.startsWith('/api/v1/') && payload !== null && typeof payload === 'object') {
      seen.set(request, JSON.parse(JSON.stringify(payload)));
    }
    return payload;
  });
  server.addHook('onSend', async (request, reply, payload) => {
    if (!seen.has(request) || typeof payload !== 'string') return payload;
    const difference = firstDifference(seen.get(request), JSON.parse(payload));
    if (difference)
      problems.push(`${request.method} ${request.routeOptions.url} ${reply.statusCode}: ${difference}`);
    return payload;
  });
  return () => problems;
}

export async function startTestApp(
  dialect: TestDialect,
  options: { clock?: TestClock; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestApp> {
  const t = await openTestDb(dialect);
  const config = testConfig(options.env);
  const app = await createApp(config, {
    db: t.db,
    timers: false,
    ...(options.clock && { clock: options.clock }),
    log: options.log ?? (await import('./db.ts')).silentLog,
  });
  const serialization = watchSerialization(app.server);
  const ctx = testCtx(t.db, options.clock ? { clock: options.clock } : {});
  const roles: Role[] = ['admin', 'incident_lead', 'comms_lead', 'support_lead', 'responder', 'viewer'];
  const tokens = {} as Record<Role, string>;
  for (const role of roles) tokens[role] = (await createToken(ctx, { name: `test-${role}`, role })).token;
  return {
    app,
    tokens,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: async () => {
      await app.close();
      await t.close();
      const problems = serialization();
      if (problems.length > 0) {
        throw new Error(`Response schemas changed these answers:\n  ${problems.join('\n  ')}`);
      }
    },
  };
}
