// Values stored as text on both engines; each schema checks them with a CHECK constraint.
export const ARTICLE_STATUSES = ['draft', 'published'] as const;
export const PLACEMENTS = ['inline', 'end', 'sidebar'] as const;
export const COMMENT_STATUSES = ['pending', 'approved', 'rejected', 'spam'] as const;
export const ROLES = ['admin', 'editor', 'moderator'] as const;

export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];
export type Placement = (typeof PLACEMENTS)[number];
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
export type Role = (typeof ROLES)[number];
