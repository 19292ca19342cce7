import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Db, type Dialect, tablesOf } from './schema.js';

/** migrations/<dialect>, from src/db (tsx) and from dist/src/db (compiled). */
export function migrationsFolder(dialect: Dialect): string {
  const found = [`../../migrations/${dialect}`, `../../../migrations/${dialect}`]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((path) => existsSync(`${path}/meta/_journal.json`));
  if (!found) throw new Error(`migrations/${dialect} folder not found next to the application`);
  return found;
}

/** The rows every installation needs, after the migrations; inserting them again changes nothing. */
export async function insertInstanceRows(db: Db): Promise<void> {
  const { contentVersion, instanceSecrets } = tablesOf(db);
  const now = new Date().toISOString();
  await db.insert(contentVersion).values({ id: 1, version: 1, updatedAt: now }).onConflictDoNothing();
  for (const name of ['address-hash-salt', 'etag-secret', 'preview-secret']) {
    await db
      .insert(instanceSecrets)
      .values({ name, value: randomBytes(32).toString('base64url'), createdAt: now })
      .onConflictDoNothing();
  }
}
