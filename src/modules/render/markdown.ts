import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// Editors may write inline HTML in Markdown; it is rendered, then everything passes this allowlist.
const markdown = new MarkdownIt({ html: true, linkify: true, typographer: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'strong',
    'em',
    'b',
    'i',
    's',
    'del',
    'sub',
    'sup',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: ['style'],
    td: ['style'],
  },
  // markdown-it writes table alignment as an inline style: that one property, nothing else.
  allowedStyles: { '*': { 'text-align': [/^(left|right|center)$/] } },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Editor Markdown → sanitised HTML. Relative image paths resolve against `base` when given. */
export function renderMarkdown(source: string, base: string | null): string {
  const html = markdown.render(source);
  if (base === null) return sanitizeHtml(html, SANITIZE);
  return sanitizeHtml(html, {
    ...SANITIZE,
    transformTags: {
      img: (tagName, attribs) => ({
        tagName,
        attribs: attribs.src ? { ...attribs, src: absoluteUrl(attribs.src, base) } : attribs,
      }),
    },
  });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Plain text (reader comments) → escaped HTML paragraphs; web addresses become nofollow links. */
export function renderPlainText(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return paragraphs.map((p) => `<p>${linkifyEscaped(p).replace(/\n/g, '<br>\n')}</p>`).join('\n');
}

// Readers write "www.example.com" as often as full addresses; e-mail addresses stay text.
const readerLinks = new MarkdownIt({ linkify: true }).linkify.set({ fuzzyLink: true, fuzzyEmail: false });

function linkifyEscaped(text: string): string {
  const matches = (readerLinks.match(text) ?? []).filter((m) => /^https?:\/\//i.test(m.url));
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += escapeHtml(text.slice(at, m.index));
    out += `<a href="${escapeHtml(m.url)}" rel="nofollow ugc">${escapeHtml(m.raw)}</a>`;
    at = m.lastIndex;
  }
  return out + escapeHtml(text.slice(at));
}

/** A stored path (`/images/x.jpg`) under `base`; a URL with a scheme (or `//host`) is left alone. */
export function absoluteUrl(url: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) return url;
  return `${base}${url.startsWith('/') ? '' : '/'}${url}`;
}
