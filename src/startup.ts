import { isEmptyDatabase, seedSampleContent } from '../seeds/load.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { type DatabaseHandles, openDatabase } from './db/client.js';

export interface PreparedDatabase {
  db: DatabaseHandles;
  /** Whether start-up loaded the sample content (an empty database and SEED_ON_EMPTY). */
  seeded: boolean;
}

/** Migrates an opened database and, when asked, loads the sample content into an empty one. */
export async function initializeDatabase(
  db: DatabaseHandles,
  { seedIfEmpty }: { seedIfEmpty: boolean },
): Promise<boolean> {
  await db.migrate();
  if (!seedIfEmpty || !(await isEmptyDatabase({ db: db.read }))) return false;
  await seedSampleContent({ withTransaction: db.withTransaction, now: new Date() });
  return true;
}

/** Opens the configured database as it is (a cluster worker: its primary migrated it). */
export function openConfiguredDatabase(config: Config): Promise<DatabaseHandles> {
  return openDatabase({
    url: config.databaseUrl,
    synchronous: config.sqliteSynchronous,
    busyWaitMs: config.sqliteBusyWaitMs,
    poolSize: config.databasePoolSize,
    listen: config.databaseListen,
  });
}

/** Opens the configured database and migrates it; the server also seeds an empty one (SEED_ON_EMPTY). */
export async function prepareDatabase(config: Config, { seed }: { seed: boolean }): Promise<PreparedDatabase> {
  const db = await openConfiguredDatabase(config);
  try {
    const seeded = await initializeDatabase(db, { seedIfEmpty: seed && config.seedOnEmpty });
    return { db, seeded };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/** The configured database, migrated, and an app on it: for the server's helpers (CLI, scripts, benches). */
export async function buildAppFromConfig(config: Config, { seed = false }: { seed?: boolean } = {}) {
  const { db, seeded } = await prepareDatabase(config, { seed });
  return { app: await buildApp(config, { db }), seeded };
}
