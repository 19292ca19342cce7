import { and, eq, sql } from 'drizzle-orm';
import { jsonOf } from '../../db/json.js';
import { preparedPer } from '../../db/prepared.js';
import { type CommentStatus, type Db, tablesOf } from '../../db/schema.js';
import { isPublic } from '../../db/visibility.js';
import { authorKeyOfColumn, DECIDED_STATUSES } from './comments.repository.js';

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

const submissionFactsQuery = preparedPer((db: Db) => {
  const byTrustAfter = new Map<number, ReturnType<typeof buildFacts>>();
  return (trustAfter: number) => {
    let query = byTrustAfter.get(trustAfter);
    if (query === undefined) {
      query = buildFacts(db, trustAfter);
      byTrustAfter.set(trustAfter, query);
    }
    return query;
  };
});

function buildFacts(db: Db, trustAfter: number) {
  if (!Number.isSafeInteger(trustAfter) || trustAfter < 0) throw new RangeError(`invalid trustAfter ${trustAfter}`);
  const { articles, comments, commentBlocks } = tablesOf(db);
  const authorKey = sql.placeholder('authorKey');
  const addressHash = sql.placeholder('addressHash');
  const json = jsonOf(db);
  const decided = sql.join(
    DECIDED_STATUSES.map((status) => sql.raw(`'${status}'`)),
    sql`, `,
  );
  // A literal limit: SQLite plans `LIMIT ?` far worse; trustAfter is a checked integer from the config.
  const latestDecisions =
    trustAfter === 0
      ? sql<string>`'[]'`
      : json.text(
          json.array({
            element: sql.raw('latest.status'),
            from: sql`(select ${comments.id}, ${comments.status} from ${comments} where ${authorKeyOfColumn(comments)} = ${authorKey} and ${comments.status} in (${decided}) order by ${comments.id} desc limit ${sql.raw(String(trustAfter))}) as latest`,
            orderBy: sql.raw('latest.id desc'),
          }),
        );
  return db
    .select({
      articleId: articles.id,
      duplicate: sql<number>`(select count(*) from (select 1 from ${comments} where ${comments.contentHash} = ${sql.placeholder('contentHash')} and ${comments.addressHash} = ${addressHash} and ${comments.createdAt} >= ${sql.placeholder('duplicateSince')} limit 1) as found)`,
      spam: sql<number>`(select count(*) from ${comments} where ${comments.addressHash} = ${addressHash} and ${comments.status} = 'spam' and ${authorKeyOfColumn(comments)} = ${authorKey} and ${comments.updatedAt} >= ${sql.placeholder('spamSince')})`,
      latestDecisions,
      authorBlocked: sql<number>`(select count(*) from ${commentBlocks} where (${commentBlocks.kind} = 'email' and ${commentBlocks.value} = ${authorKey}) or (${commentBlocks.kind} = 'address' and ${commentBlocks.value} = ${addressHash}))`,
      blockedWords: json.text(
        json.array({
          element: commentBlocks.value,
          from: sql`${commentBlocks} where ${commentBlocks.kind} = 'word'`,
          orderBy: sql`${commentBlocks.id}`,
        }),
      ),
    })
    .from(articles)
    .where(and(eq(articles.slug, sql.placeholder('slug')), isPublic(articles, sql.placeholder('now'))))
    .prepare(`submission_facts_${trustAfter}`);
}

/**
 * The published, due article a comment goes to, and everything its rules check: recent
 * duplicate, recent spam from the author, the author's latest decisions, blocks. Undefined when
 * no published article has the slug. One round trip: submission is the write path readers hit.
 */
export async function findSubmissionFacts({
  db,
  slug,
  now,
  contentHash,
  addressHash,
  authorKey,
  duplicateSince,
  spamSince,
  trustAfter,
}: {
  db: Db;
  slug: string;
  now: string;
  contentHash: string;
  addressHash: string;
  authorKey: string;
  duplicateSince: string;
  spamSince: string;
  trustAfter: number;
}): Promise<SubmissionFacts | undefined> {
  const [row] = await submissionFactsQuery(db)(trustAfter).execute({
    slug,
    now,
    contentHash,
    addressHash,
    authorKey,
    duplicateSince,
    spamSince,
  });
  if (!row) return undefined;
  return {
    articleId: row.articleId,
    duplicate: Number(row.duplicate) > 0,
    spamFromSameAuthor: Number(row.spam),
    latestDecisions: JSON.parse(row.latestDecisions) as CommentStatus[],
    blockedWords: JSON.parse(row.blockedWords) as string[],
    authorBlocked: Number(row.authorBlocked) > 0,
  };
}
