import type { DatabaseHandles } from '../../db/client.js';
import { normalizeAddress } from '../../http/client-address.js';
import { conflict, notFound } from '../../http/errors.js';
import {
  type CommentBlockRow,
  deleteCommentBlock,
  findCommentBlock,
  getCommentBlock,
  insertCommentBlock,
  listCommentBlocks,
} from './comment-blocks.repository.js';
import type { CommentBlock, CreateCommentBlock } from './comment-blocks.schemas.js';
import { hashAddress } from './comments.moderation.service.js';
import { authorKeyOf } from './comments.repository.js';

const toBlock = ({ id, kind, value, createdBy, createdAt }: CommentBlockRow): CommentBlock => ({
  id,
  kind,
  value,
  createdBy,
  createdAt,
});

export async function listBlocks({ db }: { db: DatabaseHandles }): Promise<CommentBlock[]> {
  return (await listCommentBlocks({ db: db.read })).map(toBlock);
}

export async function getBlock({ db }: { db: DatabaseHandles }, id: number): Promise<CommentBlock> {
  const row = await getCommentBlock({ db: db.read, id });
  if (!row) throw notFound(`No comment block has the id ${id}.`);
  return toBlock(row);
}

/** Stored as a submission compares it: a word lowercased, an e-mail normalised, an address as its salted hash. */
export async function addBlock(
  { db, now, actor }: { db: DatabaseHandles; now: Date; actor: string },
  input: CreateCommentBlock,
): Promise<CommentBlock> {
  // Hashed before the transaction: the salt is read outside it, once per opened database.
  const value =
    input.kind === 'word'
      ? input.value.toLowerCase()
      : input.kind === 'email'
        ? authorKeyOf(input.value)
        : await hashAddress(db, normalizeAddress(input.value)!);
  // Blocks change no public content: the next submission reads them from the database.
  return db.withTransaction(
    async (tx) => {
      if (await findCommentBlock({ db: tx, kind: input.kind, value }))
        throw conflict(`This ${input.kind} is already blocked.`);
      const row = await insertCommentBlock({
        db: tx,
        values: { kind: input.kind, value, createdBy: actor, createdAt: now.toISOString() },
      });
      return toBlock(row);
    },
    { touchesContent: false },
  );
}

export async function removeBlock({ db }: { db: DatabaseHandles }, id: number): Promise<void> {
  const removed = await db.withTransaction(async (tx) => deleteCommentBlock({ db: tx, id }), { touchesContent: false });
  if (!removed) throw notFound(`No comment block has the id ${id}.`);
}
