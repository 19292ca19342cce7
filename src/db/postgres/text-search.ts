import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db, Tables } from '../schema.js';
import type { CommentTextPlan, IdWindow } from '../text-search.js';
import { commentSearch } from './schema.js';

const queryOf = (words: string[]) => words.map((word) => `${word}:*`).join(' & ');
const commentQuery = (words: string[]) => sql`to_tsquery('simple', ${queryOf(words)})`;

/** The ids of the comments holding every word, through the GIN index on the stored documents (migration 0007). */
const matchingIds = (words: string[]) =>
  sql`select ${commentSearch.commentId} from ${commentSearch} where ${commentSearch.document} @@ ${commentQuery(words)}`;

// Past this many comments to test before a page is full, reading every match once is cheaper: a
// probe is one primary-key lookup and a test of the stored document, a few microseconds.
export const POSTGRES_MAX_COMMENT_PROBES = 2000;

/**
 * Comments whose stored document (comment_search) holds every word as a prefix. 'driven' (few
 * matches, known): the matches as an array, which the primary key's index (or a BitmapOr with the
 * e-mail's) looks up; 'walked': every match read once into a hashed set the queue's order is
 * tested against; 'probed': a scalar subquery, never flattened, so each comment the order walks
 * past is looked up by id and its document tested, and the walk stops after a page.
 */
export function postgresCommentText(comments: Tables['comments'], words: string[], plan: CommentTextPlan): SQL {
  if (plan === 'driven') return sql`${comments.id} = any(array(${matchingIds(words)}))`;
  if (plan === 'walked') return sql`${comments.id} in (${matchingIds(words)})`;
  return sql`(select ${commentSearch.document} from ${commentSearch} where ${commentSearch.commentId} = ${comments.id}) @@ ${commentQuery(words)}`;
}

// The newest comments a sample reads one by one before judging how dense the matches are.
const FIRST_WALK = 4000;
// Reading one comment's stored document costs about a third of reading one match found through the GIN index.
const WALK_PER_MATCH = 3;
// The most comments a sample walks past in all: beyond, the GIN index is cheaper whatever the density.
const MAX_WALK = 60_000;

/** The rows of a raw query (node-postgres and PGlite both answer `{ rows }`). */
async function rowsOf<Row>(db: Db, query: SQL): Promise<Row[]> {
  return ((await db.execute(query)) as unknown as { rows: Row[] }).rows;
}

/** The newest `rows` comments below id `below`: the window of a walk down the primary key. */
const windowOf = (below: number, rows: number) =>
  sql`select ${commentSearch.commentId}, ${commentSearch.document} from ${commentSearch} where ${commentSearch.commentId} < ${below} order by ${commentSearch.commentId} desc limit ${rows}`;

/** The matches in a window, newest first, and the window's oldest id (0 when it reached the first comment). */
async function walkedMatches(db: Db, words: string[], below: number, rows: number, limit: number) {
  const [row] = await rowsOf<{ ids: number[] | null; oldest: number | null; walked: number }>(
    db,
    sql`with w as (select "comment_id", "document" @@ ${commentQuery(words)} as hit from (${windowOf(below, rows)}) as x) select array(select "comment_id" from w where hit order by "comment_id" desc limit ${limit}) as ids, min("comment_id") as oldest, count(*)::int as walked from w`,
  );
  return {
    ids: (row?.ids ?? []).map(Number),
    oldest: !row || row.walked < rows ? 0 : Number(row.oldest),
  };
}

/** The newest `limit` matches below id `below` through the GIN index (`+ 0` keeps the planner off a walk of the primary key). */
async function indexedMatches(db: Db, words: string[], below: number, limit: number): Promise<number[]> {
  if (below <= 0 || limit <= 0) return [];
  const rows = await rowsOf<{ id: number }>(
    db,
    sql`select ${commentSearch.commentId} as id from ${commentSearch} where ${commentSearch.document} @@ ${commentQuery(words)} and ${commentSearch.commentId} < ${below} order by ${commentSearch.commentId} + 0 desc limit ${limit}`,
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The ids of the newest `limit` comments holding every word, newest first, with bounded work: the
 * newest FIRST_WALK comments are tested one by one; if that is not enough, the share found there
 * says which is cheaper, walking on (dense words: few comments to pass, at most MAX_WALK) or
 * reading every older match through the GIN index (rare words). The planner alone cannot choose:
 * it multiplies the words' shares, so two common words look rare together and it reads every match.
 */
export async function postgresNewestCommentIds(db: Db, words: string[], limit: number): Promise<number[]> {
  // Above every id: comment ids are PostgreSQL integers.
  const first = await walkedMatches(db, words, 2 ** 31 - 1, FIRST_WALK, limit);
  const wanted = limit - first.ids.length;
  if (wanted <= 0 || first.oldest === 0) return first.ids;
  const share = first.ids.length / FIRST_WALK;
  const rowsToWalk = share === 0 ? Number.POSITIVE_INFINITY : Math.ceil((wanted / share) * 1.5);
  // The matches the index would read: the share over every older comment (ids are dense enough to count by).
  if (rowsToWalk > MAX_WALK || rowsToWalk > share * first.oldest * WALK_PER_MATCH)
    return [...first.ids, ...(await indexedMatches(db, words, first.oldest, wanted))];
  const more = await walkedMatches(db, words, first.oldest, rowsToWalk, wanted);
  const rest = more.ids.length < wanted ? await indexedMatches(db, words, more.oldest, wanted - more.ids.length) : [];
  return [...first.ids, ...more.ids, ...rest];
}

/** The searchable text of each `articles` row, as migration 0002 backfills it (sections and tips in order). */
export function postgresArticleText() {
  // Spelled out with table names: drizzle leaves columns unqualified inside INSERT … SELECT.
  return {
    headings: sql<string>`coalesce((select string_agg(s.heading, E'\n' order by s.position) from sections s where s.article_id = articles.id), '')`,
    body: sql<string>`concat_ws(E'\n', articles.summary, articles.intro,
      (select string_agg(s.lead, E'\n' order by s.position) from sections s where s.article_id = articles.id),
      (select string_agg(t.title || E'\n' || t.body, E'\n' order by s.position, t.position) from tips t join sections s on s.id = t.section_id where s.article_id = articles.id),
      articles.conclusion)`,
  };
}

// The stored generated column behind the GIN index article_search_document_idx (migration 0005): ranking reads it, no reparse.
const DOCUMENT = sql.raw(`"document"`);
const tsQuery = (words: string[]) => sql`plainto_tsquery('english', ${words.join(' ')})`;

// Windows spanning at most this many ids are walked, each document tested (about 0.8 µs each).
const WALKED_SPAN = 4000;

/**
 * Articles holding every word (English-stemmed) with ids in the window, as a derived table
 * `hit(article_id, rank)`; rank is minus ts_rank with weights title 1, headings 0.4, body 0.2, so
 * lower is better as on SQLite. A window of a few thousand ids (a common word's, or one
 * postgresArticleWindow limited) is walked along the primary key, each document tested: the test
 * is kept from the GIN index, which the planner would otherwise pick for two correlated words it
 * takes for rare, reading all their matches ("plantar fasciitis" at 100k: 2.5 ms, walked 1.5). A
 * wider window is left to the planner: the GIN index finds a rare word's matches.
 * The hits come sorted as the page wants them, behind a fence (`offset 0`), so the page joins
 * articles in that order and stops when full; left to itself the planner joined every hit first, or
 * started a parallel worker to sort them (`pain`'s page: 8 ms either way, 4.5 ms sorted here).
 */
export function postgresArticleHits(words: string[], window: IdWindow): SQL {
  const test =
    window.below - window.from <= WALKED_SPAN
      ? sql`coalesce(${DOCUMENT} @@ ${tsQuery(words)}, false)`
      : sql`${DOCUMENT} @@ ${tsQuery(words)}`;
  return sql`(select "article_id", (-ts_rank('{0.1, 0.2, 0.4, 1.0}', ${DOCUMENT}, ${tsQuery(words)}))::float8 as rank from "article_search" where ${test} and "article_id" >= ${window.from} and "article_id" < ${window.below} order by 2, 1 offset 0)`;
}

/** The id of the `nth` newest article below `below` holding every word, through the GIN index when the words are rare. */
function nthNewestArticle(words: string[], below: number, nth: number): SQL {
  return sql`select "article_id" from "article_search" where ${DOCUMENT} @@ ${tsQuery(words)} and "article_id" < ${below} order by "article_id" desc limit 1 offset ${nth - 1}`;
}

// The newest documents a window's sample tests one by one (about 0.2 ms).
const SAMPLE = 250;
// A window spans at most SPAN_LIMIT × `size` ids, unless its words are in fewer than 1 document
// in MIN_SHARE: ranking a window tests each document between its bounds (about 0.8 µs each).
const SPAN_LIMIT = 2;
const MIN_SHARE = 40;

/**
 * The ranking window below `below`: ids down to about the `size`-th newest match. The newest
 * documents (SAMPLE, or `size` if fewer) are tested one by one: if every remaining document was
 * among them, or `size` of them match, the bound is exact, and if none matches (a rare word) the
 * GIN index finds the `size`-th match. Otherwise the share that matches sizes the window, which
 * the GIN index and the key's range then cut together; finding the exact bound read every match's
 * row (100,000 articles, "plantar fasciitis" in 8% of them: 17 ms), as the planner, multiplying
 * the words' shares, takes two correlated words for rare. A window of words in 1 document in 40 or
 * more spans at most SPAN_LIMIT × `size` ids, so it may hold fewer than `size` matches: "knee
 * pain" (8%) walked 12,000 documents, 10 ms, for its 1,000 matches, and walks 2,000 for about 160.
 */
export async function postgresArticleWindow(db: Db, words: string[], below: number, size: number): Promise<IdWindow> {
  const sampled = Math.min(size, SAMPLE);
  const [sample] = await rowsOf<{
    walked: number;
    matches: number;
    newest: number;
    oldest: number;
    nth: number | null;
  }>(
    db,
    sql`with s as materialized (select "article_id", ${DOCUMENT} @@ ${tsQuery(words)} as hit from "article_search" where "article_id" < ${below} order by "article_id" desc limit ${sampled})
      select count(*)::int as walked, count(*) filter (where hit)::int as matches, max("article_id") as newest, min("article_id") as oldest,
        (select "article_id" from s where hit order by "article_id" desc offset ${size - 1} limit 1) as nth from s`,
  );
  if (!sample || sample.walked < sampled) return { from: 0, below };
  const newest = Number(sample.newest);
  // Nothing lies between the newest document and `below`: ending the window there says how short it is.
  const end = Math.min(below, newest + 1);
  if (sample.nth !== null) return { from: Number(sample.nth), below: end };
  if (sample.matches === 0) {
    const [row] = await rowsOf<{ article_id: number }>(db, nthNewestArticle(words, below, size));
    return { from: row ? Number(row.article_id) : 0, below };
  }
  const span = Math.ceil((size * (newest - Number(sample.oldest) + 1)) / sample.matches);
  const limited = sample.matches * MIN_SHARE >= sampled ? Math.min(span, SPAN_LIMIT * size) : span;
  return { from: Math.max(0, newest + 1 - limited), below: end };
}

// The text a passage is cut from around its first match: characters before and after it.
const BEFORE = sql.raw('150');
const AFTER = sql.raw('300');

/**
 * The best passage of one article around the words, the matches between `open` and `close`.
 * ts_headline parses every word it is given (about 0.35 ms for a 3 KB article), so it first gets
 * only the text around the first place a word's stem occurs; the whole text only when that cut
 * holds no match (a stem inside another word, or one English stemming spells differently).
 * Each level is fenced (`offset 0`) so the planner does not copy its expressions into the next.
 */
function articleSnippet(articleId: SQLWrapper, words: string[], open: string, close: string): SQL {
  const options = `StartSel=${open}, StopSel=${close}, MaxWords=35, MinWords=15, MaxFragments=1, FragmentDelimiter=" … "`;
  const headline = (text: SQL) => sql`ts_headline('english', ${text}, ${tsQuery(words)}, ${options})`;
  const text = sql`(select "title" || E'\n' || "headings" || E'\n' || "body" as text from "article_search" where "article_id" = ${articleId} offset 0)`;
  // A stem's first occurrence in the lower-cased text (ASCII lower case under "C": positions stay put).
  const firstStem = sql`(select coalesce(min(nullif(strpos(lower(x.text), stem), 0)), 0) from unnest(tsvector_to_array(to_tsvector('english', ${words.join(' ')}))) as stem)`;
  // From the word after the cut's start (unless the text starts within it) to AFTER past the stem.
  const start = sql`(case when t.at <= ${BEFORE} then 1 else t.at - ${BEFORE} + strpos(substr(t.text, t.at - ${BEFORE}, 40), ' ') end)`;
  const cut = sql`(case when t.at > 0 then ${headline(sql`substr(left(t.text, t.at + ${AFTER}), ${start})`)} end)`;
  return sql`(select case when strpos(p.cut, ${open}) > 0 then p.cut else ${headline(sql`p.text`)} end from (select t.text, ${cut} as cut from (select x.text, ${firstStem} as at from ${text} as x offset 0) as t offset 0) as p)`;
}

/** The best passage of each article `ids` names around the words, as `(article_id, passage)`. */
export function postgresArticlePassages(words: string[], ids: number[], open: string, close: string): SQL {
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`select a.article_id, ${articleSnippet(sql`a.article_id`, words, open, close)} as passage from "article_search" as a where a.article_id in (${list})`;
}
