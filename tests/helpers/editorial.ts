import type { FastifyInstance } from 'fastify';
import type { DatabaseHandles } from '../../src/db/client.js';
import { bearer, createKeyFor } from './keys.js';

/** Creates and publishes an article through the management API, as an editor would. */
export async function publishViaApi(app: FastifyInstance, db: DatabaseHandles, article: Record<string, unknown>) {
  const editor = bearer(await createKeyFor(db, 'editor', `editor-${Math.random()}`));
  const created = await app.inject({ method: 'POST', url: '/v1/admin/articles', headers: editor, payload: article });
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
  const { id, slug } = created.json() as { id: number; slug: string };
  const published = await app.inject({ method: 'POST', url: `/v1/admin/articles/${id}/publish`, headers: editor });
  if (published.statusCode !== 200) throw new Error(`publish failed: ${published.body}`);
  return { id, slug, editor };
}
