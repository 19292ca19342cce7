import type { Article } from '../articles/articles.schemas.js';
import { absoluteUrl, escapeHtml, renderMarkdown } from './markdown.js';

const markdown = (text: string | null, base: string | null) => (text ? renderMarkdown(text, base) : '');

function image(value: { url: string; alt: string | null } | null, base: string | null): string {
  if (!value) return '';
  const src = base === null ? value.url : absoluteUrl(value.url, base);
  return `<p><img src="${escapeHtml(src)}" alt="${escapeHtml(value.alt ?? '')}" /></p>\n`;
}

/** A whole article as one sanitised HTML body (feeds): intro, sections with their tips, conclusion. */
export function articleHtml(article: Article, base: string | null): string {
  let html = markdown(article.intro, base);
  for (const section of article.sections) {
    html += `<h2>${escapeHtml(section.heading)}</h2>\n${markdown(section.lead, base)}`;
    for (const tip of section.tips)
      html += `<h3>${escapeHtml(tip.title)}</h3>\n${image(tip.image, base)}${markdown(tip.body, base)}`;
  }
  return html + markdown(article.conclusion, base);
}
