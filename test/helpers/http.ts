/** An app on a fresh test database, driven through `app.inject()`. */
import { type App, createApp } from '../../src/app.ts';
import type { Role } from '../../src/domain/permissions.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { openTestDb, type TestClock, type TestDialect, testConfig, testCtx } from './db.ts';

export interface TestApp {
  app: App;
  /** A bearer token per role. */
  tokens: Record<Role, string>;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

export async function startTestApp(
  dialect: TestDialect,
  options: { clock?: TestClock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const t = await openTestDb(dialect);
  const config = testConfig(options.env);
  const app = await createApp(config, {
    db: t.db,
    timers: false,
    ...(options.clock && { clock: options.clock }),
    log: (await import('./db.ts')).silentLog,
  });
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
    },
  };
}
