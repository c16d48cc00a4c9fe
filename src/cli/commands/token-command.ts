/** `crier token create`: a token written straight into the configured database (no server needed). */

import type { Config } from '../../config.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import { createLogger } from '../../logger.ts';
import { systemActor, systemClock } from '../../services/context.ts';
import { createToken } from '../../services/tokens/tokens.ts';
import { ChangeBus } from '../../store/changes.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError } from '../output.ts';

export async function createTokenDirect(config: Config, name: string, role: string) {
  const known = roles.find((r): r is Role => r === role);
  if (known === undefined) throw new CliError(`Unknown role "${role}". Roles: ${roles.join(', ')}.`, 2);
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    const ctx = {
      db,
      clock: systemClock,
      log: createLogger({ ...config, logLevel: 'silent' }),
      config,
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'cli', source: 'cli' },
    };
    return await createToken(ctx, { name, role: known });
  } finally {
    await db.destroy();
  }
}
