import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Db } from './client.js';
import { contentVersion, instanceSecrets } from './schema.js';

// Works from src/db (tsx) and from dist/src/db (compiled).
const MIGRATIONS_FOLDER = ['../../migrations', '../../../migrations']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((path) => existsSync(`${path}/meta/_journal.json`));

/** Applies pending migrations and the rows every installation needs; safe to run on every start. */
export async function migrateDatabase(db: Db): Promise<void> {
  if (!MIGRATIONS_FOLDER) throw new Error('migrations/ folder not found next to the application');
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const now = new Date().toISOString();
  await db.insert(contentVersion).values({ id: 1, version: 1, updatedAt: now }).onConflictDoNothing();
  for (const name of ['address-hash-salt', 'etag-secret']) {
    await db
      .insert(instanceSecrets)
      .values({ name, value: randomBytes(32).toString('base64url'), createdAt: now })
      .onConflictDoNothing();
  }
}
