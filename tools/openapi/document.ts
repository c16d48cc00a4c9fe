/**
 * The OpenAPI document exactly as /api/v1/openapi.json serves it: the whole
 * app is built on an empty in-memory SQLite database, without a plan file,
 * a worker, timers or a listening port, and asked for its document.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

export async function openapiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({
    CRIER_DATABASE_URL: 'sqlite::memory:',
    CRIER_DEMO: 'false',
    CRIER_LOG_LEVEL: 'silent',
    // A path no file is at: the document must not depend on a plan lying around.
    CRIER_PLAN: path.join(os.tmpdir(), randomUUID(), 'crier.yaml'),
  });
  const app = await createApp(config, { timers: false, worker: false, log: pino({ level: 'silent' }) });
  try {
    await app.server.ready();
    return app.server.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
