import { and, eq, sql } from 'drizzle-orm';
import { jsonOf } from '../../db/json.js';
import { type CommentStatus, type Db, tablesOf } from '../../db/schema.js';
import { isPublic } from '../../db/visibility.js';
import { authorKeyOfColumn, DECIDED_STATUSES, type NewComment } from './comments.repository.js';

/** What a submission needs to know before it writes, read in one statement. */
export interface SubmissionFacts {
  articleId: number;
  /** The same text came from the same address since `duplicateSince`. */
  duplicate: boolean;
  /** Comments marked spam since `spamSince` from this address with this e-mail. */
  spamFromSameAuthor: number;
  /** The statuses of the author's `trustAfter` latest decided comments, newest first. */
  latestDecisions: CommentStatus[];
  /** Every word moderators blocked. */
  blockedWords: string[];
  /** The author's e-mail or the address is blocked. */
  authorBlocked: boolean;
}

/** One submission as the facts query reads it. */
export interface SubmissionCheck {
  slug: string;
  now: string;
  contentHash: string;
  addressHash: string;
  authorKey: string;
  /** Duplicates count from then on. */
  duplicateSince: string;
  /** Spam from the same author counts from then on. */
  spamSince: string;
}

// The submissions' values as a VALUES list: both engines name its columns column1, column2, ….
const INPUT_COLUMNS = [
  'slug',
  'now',
  'contentHash',
  'addressHash',
  'authorKey',
  'duplicateSince',
  'spamSince',
] as const;
const input = (column: (typeof INPUT_COLUMNS)[number]) => sql.raw(`input.column${INPUT_COLUMNS.indexOf(column) + 2}`);

/**
 * For each submission, the published, due article it goes to (null when no published article
 * has the slug) and everything its rules check: recent duplicate, recent spam from the author,
 * the author's `trustAfter` latest decisions, blocks. One round trip for a whole batch, each
 * submission seeing the database as it stands (not the others of the list).
 */
export async function findSubmissionFacts({
  db,
  checks,
  trustAfter,
}: {
  db: Db;
  checks: readonly SubmissionCheck[];
  trustAfter: number;
}): Promise<(SubmissionFacts | undefined)[]> {
  if (checks.length === 0) return [];
  if (!Number.isSafeInteger(trustAfter) || trustAfter < 0) throw new RangeError(`invalid trustAfter ${trustAfter}`);
  const { articles, comments, commentBlocks } = tablesOf(db);
  const json = jsonOf(db);
  // One index range per status (newest first on comments_author_idx), merged: with `status in (…)` PostgreSQL read every
  // comment of the author, pending ones included (6 ms per submission for an author with 14,000 comments, 0.09 ms so).
  const limit = sql.raw(String(trustAfter));
  const perStatus = sql.join(
    DECIDED_STATUSES.map(
      (status) =>
        sql`select * from (select ${comments.id} as id, ${comments.status} as status from ${comments} where ${authorKeyOfColumn(comments)} = ${input('authorKey')} and ${comments.status} = ${sql.raw(`'${status}'`)} order by ${comments.id} desc limit ${limit}) as ${sql.raw(`decided_${status}`)}`,
    ),
    sql` union all `,
  );
  // A literal limit: SQLite plans `LIMIT ?` far worse; trustAfter is a checked integer from the config.
  const latestDecisions =
    trustAfter === 0
      ? sql<string>`'[]'`
      : json.text(
          json.array({
            element: sql.raw('latest.status'),
            from: sql`(select id, status from (${perStatus}) as decided order by id desc limit ${limit}) as latest`,
            orderBy: sql.raw('latest.id desc'),
          }),
        );
  const values = sql.join(
    checks.map(
      (check, i) =>
        sql`(${sql.raw(String(i))}, ${sql.join(
          INPUT_COLUMNS.map((column) => sql`${check[column]}`),
          sql`, `,
        )})`,
    ),
    sql`, `,
  );
  const rows = await db
    .select({
      index: sql<number>`input.column1`,
      articleId: articles.id,
      // Only the content hash (all but unique) may pick the index: `|| ''` keeps the other two off theirs, which PostgreSQL took
      // when its statistics predate a burst of comments from one address (8 ms per submission at 20,000 of them, 0.2 ms so).
      duplicate: sql<number>`(select count(*) from (select 1 from ${comments} where ${comments.contentHash} = ${input('contentHash')} and ${comments.addressHash} || '' = ${input('addressHash')} and ${comments.createdAt} || '' >= ${input('duplicateSince')} limit 1) as found)`,
      spam: sql<number>`(select count(*) from ${comments} where ${comments.addressHash} = ${input('addressHash')} and ${comments.status} = 'spam' and ${authorKeyOfColumn(comments)} = ${input('authorKey')} and ${comments.updatedAt} >= ${input('spamSince')})`,
      latestDecisions,
      authorBlocked: sql<number>`(select count(*) from ${commentBlocks} where (${commentBlocks.kind} = 'email' and ${commentBlocks.value} = ${input('authorKey')}) or (${commentBlocks.kind} = 'address' and ${commentBlocks.value} = ${input('addressHash')}))`,
      blockedWords: json.text(
        json.array({
          element: commentBlocks.value,
          from: sql`${commentBlocks} where ${commentBlocks.kind} = 'word'`,
          orderBy: sql`${commentBlocks.id}`,
        }),
      ),
    })
    .from(sql`(values ${values}) as input`)
    .leftJoin(articles, and(eq(articles.slug, input('slug')), isPublic(articles, input('now'))));
  const facts: (SubmissionFacts | undefined)[] = checks.map(() => undefined);
  for (const row of rows) {
    if (row.articleId === null) continue;
    facts[Number(row.index)] = {
      articleId: row.articleId,
      duplicate: Number(row.duplicate) > 0,
      spamFromSameAuthor: Number(row.spam),
      latestDecisions: JSON.parse(row.latestDecisions) as CommentStatus[],
      blockedWords: JSON.parse(row.blockedWords) as string[],
      authorBlocked: Number(row.authorBlocked) > 0,
    };
  }
  return facts;
}

/**
 * New comments in one statement; each answered with its id, found by its text and address
 * (RETURNING promises no order), so no two of them may share both.
 */
export async function insertComments({ db, values }: { db: Db; values: readonly NewComment[] }): Promise<number[]> {
  if (values.length === 0) return [];
  const { comments } = tablesOf(db);
  const keyOf = (contentHash: string, addressHash: string | null) => `${contentHash} ${addressHash}`;
  const rows = await db
    .insert(comments)
    .values([...values])
    .returning({ id: comments.id, contentHash: comments.contentHash, addressHash: comments.addressHash });
  const ids = new Map(rows.map((r) => [keyOf(r.contentHash, r.addressHash), r.id]));
  if (ids.size !== values.length) throw new Error('insertComments: two comments share a text and an address');
  return values.map((v) => ids.get(keyOf(v.contentHash, v.addressHash ?? null))!);
}
