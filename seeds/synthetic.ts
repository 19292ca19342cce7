import { sql } from 'drizzle-orm';
import { insertRows, syncIdSequences } from '../src/db/bulk.js';
import type { Db } from '../src/db/client.js';
import { type CommentStatus, type Tables, tablesOf } from '../src/db/schema.js';
import type { WithTransaction } from '../src/db/transaction.js';
import { rewriteArticleSearch } from '../src/modules/articles/articles.repository.js';
import { refreshAllCommentCounts } from '../src/modules/comments/comments.repository.js';
import { contentHashOf } from '../src/modules/comments/comments.service.js';

/** Small, fast, seedable PRNG (mulberry32): the same seed always yields the same content. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, int, pick };
}

const TOPICS = [
  'Sciatica',
  'Lower Back Pain',
  'Posture',
  'Hip Mobility',
  'Knee Pain',
  'Neck Strain',
  'Plantar Fasciitis',
  'Shin Splints',
  'Desk Ergonomics',
  'Sleep Position',
  'Core Strength',
  'Hamstring Tightness',
];
const AUDIENCES = [
  'Runners',
  'Cyclists',
  'Office Workers',
  'Drivers',
  'Hikers',
  'Parents',
  'Gamers',
  'Swimmers',
  'Seniors',
  'Students',
];
const ANGLES = [
  'Causes, Prevention, and Rehabilitation',
  'A Practical Guide',
  'What Actually Helps',
  'Myths and Facts',
  'Ten-Minute Routines',
  'When to See a Professional',
];
const HEADINGS = [
  'Causes of',
  'Prevention Strategies for',
  'Rehabilitation Techniques for',
  'Everyday Habits for',
  'Equipment for',
  'Warning Signs for',
];
const TIP_TITLES = [
  'Warm-up and Stretching',
  'Proper Form',
  'Gradual Progression',
  'Cross-Training',
  'Recovery and Rest',
  'Physical Therapy',
  'Pain Management',
  'Proper Footwear',
  'Core Work',
  'Hydration',
  'Sleep',
  'Ergonomic Setup',
];
const SENTENCES = [
  'Focus on maintaining good posture and engaging the core throughout the day.',
  'Gradually increase intensity to allow your body to adapt and reduce the risk of overuse injuries.',
  'Consult a physical therapist to develop a personalized program.',
  'Use ice or heat therapy and gentle stretching to manage pain and inflammation.',
  'Listen to your body and progress gradually to avoid reinjury.',
  'Weak or imbalanced muscles can lead to improper biomechanics.',
  'Allow for sufficient rest days and prioritize sleep.',
  'Choose supportive shoes and replace them before the cushioning wears out.',
];
const NAMES = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Ema',
  'Femi',
  'Greta',
  'Hiro',
  'Ines',
  'Jon',
  'Kemi',
  'Lars',
  'Mira',
  'Noor',
  'Olu',
  'Pia',
];
const COMMENT_TEXT = [
  'This helped my recovery a lot.',
  'Does this apply to beginners too?',
  'I tried the stretches and felt better within a week.',
  'Great checklist, thanks!',
  'My physio said the same thing.',
  'Any advice for long drives?',
];

const BASE_TIME = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

export interface SyntheticOptions {
  withTransaction: WithTransaction;
  read: Db;
  articles: number;
  comments: number;
  seed: number;
  onProgress?: (done: number, total: number, label: string) => void;
  /** The planner's statistics brought up to date (DatabaseHandles.refreshStatistics). */
  refreshStatistics?: () => Promise<void>;
}

async function nextIds(db: Db) {
  const { articles, comments, products, sections, tags, tips } = tablesOf(db);
  const max = async (table: Tables['articles' | 'sections' | 'tips' | 'comments' | 'products' | 'tags']) =>
    (await db.select({ n: sql<number | null>`max(${table.id})`.mapWith(Number) }).from(table))[0]?.n ?? 0;
  return {
    article: await max(articles),
    section: await max(sections),
    tip: await max(tips),
    comment: await max(comments),
    product: await max(products),
    tag: await max(tags),
  };
}

/**
 * Adds realistic synthetic content: articles with sections, tips, tags and product links, and
 * comments in every status with replies. Deterministic for a given seed (timestamps included),
 * written in batched transactions.
 */
export async function seedSynthetic(options: SyntheticOptions): Promise<{ articles: number; comments: number }> {
  const random = createRandom(options.seed);
  const ids = await nextIds(options.read);
  const run = `s${options.seed}-${ids.article}`;
  const total = options.articles + options.comments;
  let done = 0;
  const progress = (label: string) => options.onProgress?.(done, total, label);
  // Each time the rows written double: PostgreSQL planned the batches' statements for the tables
  // as they were, and without autovacuum (or behind it) read every tip per article written, the
  // seeding growing quadratically (100,000 articles: from 6,000 a minute to 1,000 at 24,000).
  let refreshedAt = 0;
  const refreshIfGrown = async () => {
    if (!options.refreshStatistics || done < 2 * Math.max(refreshedAt, 1000)) return;
    await options.refreshStatistics();
    refreshedAt = done;
  };

  // Shared pools: tags and products that articles link.
  const tagIds: number[] = [];
  const productIds: number[] = [];
  await options.withTransaction(async (tx) => {
    const { products, tags } = tablesOf(tx);
    const tagRows = Array.from({ length: 60 }, (_, i) => ({
      id: ++ids.tag,
      slug: `${run}-tag-${i}`,
      name: `${random.pick(TOPICS)} ${i}`,
    }));
    const productRows = Array.from({ length: Math.max(10, Math.ceil(options.articles / 200)) }, (_, i) => {
      const at = new Date(BASE_TIME).toISOString();
      return {
        id: ++ids.product,
        slug: `${run}-product-${i}`,
        name: `${random.pick(['Memory Foam', 'Lumbar', 'Orthopedic', 'Ergonomic'])} ${random.pick(['Cushion', 'Pillow', 'Insole', 'Brace', 'Mat'])} ${i}`,
        badges: random.next() < 0.5 ? ['Free shipping'] : [],
        suitableFor: ['office chair', 'car seat'].slice(0, random.int(0, 2)),
        priceAmount: random.next() < 0.7 ? random.int(999, 9999) : null,
        priceCurrency: null as string | null,
        inStock: random.next() < 0.9,
        createdAt: at,
        updatedAt: at,
      };
    });
    for (const p of productRows) p.priceCurrency = p.priceAmount === null ? null : 'EUR';
    await insertRows({ db: tx, table: tags, rows: tagRows });
    await insertRows({ db: tx, table: products, rows: productRows });
    tagIds.push(...tagRows.map((t) => t.id));
    productIds.push(...productRows.map((p) => p.id));
  });

  const publishedArticles: { id: number; publishedAt: number }[] = [];
  const ARTICLE_BATCH = 2000;
  for (let start = 0; start < options.articles; start += ARTICLE_BATCH) {
    const count = Math.min(ARTICLE_BATCH, options.articles - start);
    await options.withTransaction(async (tx) => {
      const { articleProducts, articleTags, articles, sections, tips } = tablesOf(tx);
      const articleRows: Tables['articles']['$inferInsert'][] = [];
      const sectionRows: Tables['sections']['$inferInsert'][] = [];
      const tipRows: Tables['tips']['$inferInsert'][] = [];
      const tagLinks: Tables['articleTags']['$inferInsert'][] = [];
      const productLinks: Tables['articleProducts']['$inferInsert'][] = [];
      for (let i = 0; i < count; i += 1) {
        const id = ++ids.article;
        const n = start + i;
        const created = BASE_TIME + n * 600_000;
        const roll = random.next();
        // 93% published, 5% drafts, 2% scheduled far ahead.
        const status = roll < 0.05 ? 'draft' : 'published';
        const publishedAt =
          status === 'draft'
            ? null
            : roll > 0.98
              ? new Date(Date.UTC(2099, 0, 1) + n * 1000).toISOString()
              : new Date(created + random.int(0, DAY)).toISOString();
        const title = `${random.pick(TOPICS)} in ${random.pick(AUDIENCES)}: ${random.pick(ANGLES)} #${id}`;
        articleRows.push({
          id,
          slug: `${run}-${id}`,
          title,
          summary: random.pick(SENTENCES),
          intro: `${random.pick(SENTENCES)} ${random.pick(SENTENCES)} ${random.pick(SENTENCES)}`,
          conclusion: `${random.pick(SENTENCES)} ${random.pick(SENTENCES)}`,
          imageUrl: `/images/${run}-${id}.jpg`,
          imageAlt: title.split(':')[0]!,
          seoTitle: title,
          status,
          publishedAt,
          createdAt: new Date(created).toISOString(),
          updatedAt: new Date(created).toISOString(),
        });
        if (publishedAt && publishedAt < '2099') publishedArticles.push({ id, publishedAt: Date.parse(publishedAt) });
        const sectionCount = random.int(3, 5);
        const sectionIds: number[] = [];
        for (let s = 1; s <= sectionCount; s += 1) {
          const sectionId = ++ids.section;
          sectionIds.push(sectionId);
          sectionRows.push({
            id: sectionId,
            articleId: id,
            position: s,
            heading: `${random.pick(HEADINGS)} ${random.pick(AUDIENCES)}`,
            lead: `${random.pick(SENTENCES)}`,
          });
          for (let t = 1; t <= random.int(3, 5); t += 1) {
            tipRows.push({
              id: ++ids.tip,
              sectionId,
              position: t,
              title: random.pick(TIP_TITLES),
              body: `${random.pick(SENTENCES)} ${random.pick(SENTENCES)}`,
              imageUrl: random.next() < 0.1 ? `/images/${run}-tip-${ids.tip}.jpg` : null,
              imageAlt: null,
              imageCaption: null,
            });
          }
        }
        const chosenTags = new Set(Array.from({ length: random.int(1, 3) }, () => random.pick(tagIds)));
        for (const [k, tagId] of [...chosenTags].entries()) tagLinks.push({ articleId: id, tagId, position: k + 1 });
        const chosenProducts = new Set(Array.from({ length: random.int(0, 2) }, () => random.pick(productIds)));
        for (const [k, productId] of [...chosenProducts].entries()) {
          productLinks.push({
            articleId: id,
            productId,
            position: k + 1,
            placement: k === 0 ? 'end' : 'inline',
            afterSectionId: k === 0 ? null : (sectionIds[1] ?? null),
            headline: k === 0 ? 'Sitting all day?' : null,
            pitch: k === 0 ? random.pick(SENTENCES) : null,
          });
        }
      }
      await insertRows({ db: tx, table: articles, rows: articleRows });
      await insertRows({ db: tx, table: sections, rows: sectionRows });
      await insertRows({ db: tx, table: tips, rows: tipRows });
      await insertRows({ db: tx, table: articleTags, rows: tagLinks });
      await insertRows({ db: tx, table: articleProducts, rows: productLinks });
      await rewriteArticleSearch({ db: tx, articleIds: articleRows.map((row) => row.id as number) });
    });
    done += count;
    progress('articles');
    await refreshIfGrown();
  }

  const approvedRoots = new Map<number, number[]>();
  const COMMENT_BATCH = 20_000;
  for (let start = 0; start < options.comments && publishedArticles.length > 0; start += COMMENT_BATCH) {
    const count = Math.min(COMMENT_BATCH, options.comments - start);
    await options.withTransaction(async (tx) => {
      const { comments, moderationEvents } = tablesOf(tx);
      const commentRows: Tables['comments']['$inferInsert'][] = [];
      const events: Tables['moderationEvents']['$inferInsert'][] = [];
      for (let i = 0; i < count; i += 1) {
        // Skewed: a few articles draw most of the discussion.
        const article = publishedArticles[Math.floor(random.next() ** 3 * publishedArticles.length)]!;
        const id = ++ids.comment;
        const roll = random.next();
        const status: CommentStatus =
          roll < 0.7 ? 'approved' : roll < 0.85 ? 'pending' : roll < 0.95 ? 'spam' : 'rejected';
        const roots = approvedRoots.get(article.id);
        const parentId = roots && roots.length > 0 && random.next() < 0.2 ? random.pick(roots) : null;
        const at = new Date(article.publishedAt + (start + i) * 1000 + random.int(0, 60_000)).toISOString();
        const body = `${random.pick(COMMENT_TEXT)} (${id})`;
        const author = random.pick(NAMES);
        commentRows.push({
          id,
          articleId: article.id,
          parentId,
          authorName: author,
          authorEmail: `${author.toLowerCase()}.${id}@example.com`,
          body,
          status,
          addressHash: null,
          contentHash: contentHashOf(body),
          spamScore: status === 'spam' ? 1 : 0,
          spamSignals: status === 'spam' ? { honeypot: 1 } : {},
          createdAt: at,
          updatedAt: at,
          deletedAt: random.next() < 0.01 ? at : null,
        });
        events.push({
          commentId: id,
          fromStatus: null,
          toStatus: status,
          actor: status === 'spam' ? 'system' : 'seed',
          note: 'Synthetic',
          at,
        });
        if (status === 'approved' && parentId === null) {
          if (roots) roots.push(id);
          else approvedRoots.set(article.id, [id]);
        }
      }
      await insertRows({ db: tx, table: comments, rows: commentRows });
      await insertRows({ db: tx, table: moderationEvents, rows: events });
    });
    done += count;
    progress('comments');
    await refreshIfGrown();
  }
  await options.withTransaction(async (tx) => {
    await syncIdSequences({ db: tx });
    await refreshAllCommentCounts({ db: tx });
  });
  return { articles: options.articles, comments: publishedArticles.length > 0 ? options.comments : 0 };
}
