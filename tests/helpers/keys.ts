import type { DatabaseHandles } from '../../src/db/client.js';
import type { Role } from '../../src/db/schema.js';
import { createKey } from '../../src/modules/keys/keys.service.js';

/** Stores a new API key with the given role and returns the raw key (the only time it exists in clear). */
export async function createKeyFor(db: DatabaseHandles, role: Role, name = `${role} key`): Promise<string> {
  const { key } = await createKey({ db, name, role, now: new Date('2026-01-01T00:00:00.000Z') });
  return key;
}

/** The Authorization header presenting a key. */
export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}
