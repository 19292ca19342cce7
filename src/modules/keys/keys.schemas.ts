import { z } from 'zod';
import { ROLES } from '../../db/schema.js';
import { collectionOf, TimestampSchema } from '../../http/common.schemas.js';

export const RoleSchema = z
  .enum(ROLES)
  .describe('admin: everything; editor: content and products; moderator: comments')
  .meta({ id: 'ApiKeyRole' });

export const ApiKeySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: RoleSchema,
    prefix: z.string().describe('The first characters of the key, to recognise it; never enough to use it'),
    createdAt: TimestampSchema,
    lastUsedAt: TimestampSchema.nullable().describe('Updated at most once a minute'),
    revokedAt: TimestampSchema.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyListSchema = collectionOf(ApiKeySchema).meta({ id: 'ApiKeyList' });

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret key; shown only in this response, stored only as a hash'),
}).meta({ id: 'CreatedApiKey' });

export const CreateApiKeyBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).describe('A label: who or what uses the key'),
    role: RoleSchema,
  })
  .meta({ id: 'CreateApiKeyBody' });

export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBodySchema>;
