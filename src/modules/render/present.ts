import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { getSite } from '../site/site.repository.js';
import { absoluteUrl, renderMarkdown, renderPlainText } from './markdown.js';
import { createMemo } from './memo.js';

/** Which public document a JSON body is: it decides which fields hold Markdown and which plain text. */
export type DocumentKind = 'article' | 'articleList' | 'comments';

// Field names that hold Markdown in articles and their lists (product links' summary and pitch included).
const MARKDOWN_FIELDS = new Set(['summary', 'intro', 'conclusion', 'lead', 'body', 'pitch']);
const PLAIN_TEXT_FIELDS = new Set(['body']);

export interface Presentation {
  html: boolean;
  /** Base for relative image paths (PUBLIC_URL, else the site's url), or null to leave them as stored. */
  base: string | null;
}

/**
 * Where relative image paths resolve: PUBLIC_URL, else the site's url, else nowhere (left relative).
 * The site's url is read once per content version (a site edit bumps it), not per request.
 */
export function createPublicBaseReader({ config, db }: { config: Config; db: Db }) {
  let known: { version: number; base: string | null } | null = null;
  return async function publicBase(version: number | undefined): Promise<string | null> {
    if (config.publicUrl !== null) return config.publicUrl;
    if (known !== null && version !== undefined && known.version === version) return known.base;
    const url = (await getSite({ db }))?.url;
    const base = url ? url.replace(/\/+$/, '') : null;
    if (version !== undefined) known = { version, base };
    return base;
  };
}

/**
 * Post-processes a public JSON document: adds `<field>Html` beside each Markdown field and makes
 * image URLs absolute. With neither asked for, the bytes are returned untouched. Results are
 * memoised by input bytes, so each content version is rendered once even with the response cache off.
 */
export function createPresenter({ memoBytes = 8 * 1024 * 1024 }: { memoBytes?: number } = {}) {
  const memo = createMemo(memoBytes);
  return function present(json: string, kind: DocumentKind, how: Presentation): string {
    if (!how.html && how.base === null) return json;
    const key = `${kind}\u0000${how.html ? 'h' : 'm'}\u0000${how.base ?? ''}\u0000${json}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const out = JSON.stringify(transform(JSON.parse(json), kind, how));
    memo.set(key, out);
    return out;
  };
}

export type Presenter = ReturnType<typeof createPresenter>;

function transform(value: unknown, kind: DocumentKind, how: Presentation): unknown {
  if (Array.isArray(value)) return value.map((item) => transform(item, kind, how));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (how.base !== null && key === 'image' && isImage(field)) {
      out[key] = { ...field, url: absoluteUrl(field.url, how.base) };
      continue;
    }
    if (how.base !== null && key === 'ogImage' && typeof field === 'string') {
      out[key] = absoluteUrl(field, how.base);
      continue;
    }
    out[key] = transform(field, kind, how);
    if (how.html && (typeof field === 'string' || field === null)) {
      if (kind === 'comments' ? PLAIN_TEXT_FIELDS.has(key) : MARKDOWN_FIELDS.has(key))
        out[`${key}Html`] =
          field === null ? null : kind === 'comments' ? renderPlainText(field) : renderMarkdown(field, how.base);
    }
  }
  return out;
}

function isImage(value: unknown): value is { url: string } {
  return typeof value === 'object' && value !== null && typeof (value as { url?: unknown }).url === 'string';
}

/** Image URLs made absolute in a document the serializer will write (products). */
export function absolutizeImages<T>(value: T, base: string | null): T {
  if (base === null) return value;
  return transform(value, 'articleList', { html: false, base }) as T;
}
