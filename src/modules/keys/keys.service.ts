import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseHandles, Db } from '../../db/client.js';
import type { Role } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { type ApiKeyRow, findKeyByHash, findKeyById, insertKey, listKeys, revokeKey } from './keys.repository.js';
import type { ApiKey } from './keys.schemas.js';

export const KEY_PREFIX = 'quire_';
const KEY_PATTERN = /^quire_[A-Za-z0-9_-]{43}$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The public view of a key: everything but its hash. */
export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** A new key: 256 random bits behind a recognisable prefix. Only its hash is stored. */
export async function createKey({
  db,
  name,
  role,
  now,
}: {
  db: DatabaseHandles;
  name: string;
  role: Role;
  now: Date;
}): Promise<{ key: string; row: ApiKeyRow }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await db.withTransaction(
    (tx) =>
      insertKey({
        db: tx,
        values: {
          name,
          role,
          hash: hashKey(key),
          prefix: key.slice(0, KEY_PREFIX.length + 6),
          createdAt: now.toISOString(),
        },
      }),
    { touchesContent: false },
  );
  return { key, row };
}

/** Every key, revoked ones included, newest first. */
export async function listApiKeys({ db }: { db: Db }): Promise<ApiKey[]> {
  return (await listKeys({ db })).map(toApiKey);
}

/** One key by id, revoked or not; never its hash. */
export async function getApiKey({ db, id }: { db: Db; id: number }): Promise<ApiKey> {
  const row = await findKeyById({ db, id });
  if (!row) throw notFound(`No API key has the id ${id}.`);
  return toApiKey(row);
}

/** Revokes an active key; a missing or already revoked key is not found (there is nothing left to revoke). */
export async function revokeApiKey({ db, id, now }: { db: DatabaseHandles; id: number; now: Date }): Promise<void> {
  await db.withTransaction(
    async (tx) => {
      if (await revokeKey({ db: tx, id, at: now.toISOString() })) return;
      const existing = await findKeyById({ db: tx, id });
      throw notFound(existing ? `The API key ${id} is already revoked.` : `No API key has the id ${id}.`);
    },
    { touchesContent: false },
  );
}

/** The active key a presented token stands for, or undefined; malformed tokens never reach the database. */
export async function resolveKey({ db, token }: { db: Db; token: string }): Promise<ApiKeyRow | undefined> {
  if (!KEY_PATTERN.test(token)) return undefined;
  const hash = hashKey(token);
  const row = await findKeyByHash({ db, hash });
  // The lookup is by hash; the constant-time comparison guards against any index-level shortcut.
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  return row.revokedAt === null ? row : undefined;
}
