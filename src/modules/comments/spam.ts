import type { CommentPolicy } from '../../config.js';

/**
 * Plain, documented signals; each adds its weight to the score, and a score at or above the
 * configured threshold (default 1) routes the comment to `spam` instead of `pending`.
 */
export const SPAM_WEIGHTS = {
  /** The hidden `website` field was filled: only bots fill it. */
  honeypot: 1,
  /** Sent sooner than COMMENT_MIN_SUBMIT_SECONDS after the form was rendered. */
  tooFast: 1,
  /** Per link (http://, https://, www.) in the body; readers rarely need more than one. */
  link: 0.35,
  /** Per blocked word or phrase found (COMMENT_BLOCKED_WORDS and the words moderators block). */
  blockedWord: 0.6,
  /** The author's e-mail (normalised) or the client address is on the moderators' block list. */
  blockedAuthor: 1,
  /** A run of 10 or more identical characters ("!!!!!!!!!!"). */
  repeatedCharacters: 0.3,
  /** The same client address AND e-mail had a comment marked spam within COMMENT_SPAM_MEMORY_DAYS. */
  knownSpamAddress: 0.6,
  /** No `renderedAt`: forms send it, scripts usually don't. */
  noRenderedAt: 0.3,
} as const;

export type SpamSignals = Partial<Record<keyof typeof SPAM_WEIGHTS, number>>;

export interface SpamInput {
  body: string;
  authorName: string;
  honeypot: string | undefined;
  renderedAt: Date | undefined;
  receivedAt: Date;
  /** Recent spam from the same address and e-mail together. */
  spamFromSameAuthor: number;
  /** Words moderators blocked, on top of the configured ones (lowercased). */
  blockedWords: string[];
  /** The e-mail or the address is blocked. */
  blockedAuthor: boolean;
}

const LINK = /\b(?:https?:\/\/|www\.)\S+/gi;
const REPEATED = /(.)\1{9,}/su;

/** The signals that fired, each with the points it adds, and their sum. */
export function scoreComment(
  input: SpamInput,
  policy: CommentPolicy,
): { score: number; signals: SpamSignals; links: number } {
  const signals: SpamSignals = {};
  if (input.honeypot !== undefined && input.honeypot.trim() !== '') signals.honeypot = SPAM_WEIGHTS.honeypot;
  if (input.renderedAt && input.receivedAt.getTime() - input.renderedAt.getTime() < policy.minSubmitSeconds * 1000)
    signals.tooFast = SPAM_WEIGHTS.tooFast;
  if (!input.renderedAt) signals.noRenderedAt = SPAM_WEIGHTS.noRenderedAt;
  const text = `${input.authorName}\n${input.body}`;
  const links = text.match(LINK)?.length ?? 0;
  if (links > 0) signals.link = round(links * SPAM_WEIGHTS.link);
  const lower = text.toLowerCase();
  const words = new Set([...policy.blockedWords, ...input.blockedWords]);
  const blocked = [...words].filter((word) => lower.includes(word)).length;
  if (blocked > 0) signals.blockedWord = round(blocked * SPAM_WEIGHTS.blockedWord);
  if (REPEATED.test(text)) signals.repeatedCharacters = SPAM_WEIGHTS.repeatedCharacters;
  if (input.blockedAuthor) signals.blockedAuthor = SPAM_WEIGHTS.blockedAuthor;
  if (input.spamFromSameAuthor > 0) signals.knownSpamAddress = SPAM_WEIGHTS.knownSpamAddress;
  const score = round(Object.values(signals).reduce((sum, points) => sum + points, 0));
  return { score, signals, links };
}

const round = (n: number) => Math.round(n * 100) / 100;

const SIGNAL_ORDER = Object.keys(SPAM_WEIGHTS);
const rankOf = (name: string) => {
  const rank = SIGNAL_ORDER.indexOf(name);
  return rank < 0 ? SIGNAL_ORDER.length : rank;
};

/**
 * Stored signals in the filter's own order, whatever the engine kept (PostgreSQL's jsonb reorders
 * object keys): admin answers are the same bytes on both engines.
 */
export function orderedSignals(signals: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(signals).sort(([a], [b]) => rankOf(a) - rankOf(b) || (a < b ? -1 : a > b ? 1 : 0)),
  );
}
