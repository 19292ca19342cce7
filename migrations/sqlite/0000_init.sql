CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	CONSTRAINT "api_keys_role_check" CHECK("api_keys"."role" in ('admin', 'editor', 'moderator'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `article_products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`product_id` integer NOT NULL,
	`position` integer NOT NULL,
	`placement` text DEFAULT 'end' NOT NULL,
	`after_section_id` integer,
	`headline` text,
	`pitch` text,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`after_section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "article_products_placement_check" CHECK("article_products"."placement" in ('inline', 'end', 'sidebar'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_products_position_unique` ON `article_products` (`article_id`,`position`);--> statement-breakpoint
CREATE UNIQUE INDEX `article_products_product_unique` ON `article_products` (`article_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `article_products_product_idx` ON `article_products` (`product_id`);--> statement-breakpoint
CREATE TABLE `article_slug_redirects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`article_id` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_slug_redirects_slug_unique` ON `article_slug_redirects` (`slug`);--> statement-breakpoint
CREATE INDEX `article_slug_redirects_article_idx` ON `article_slug_redirects` (`article_id`);--> statement-breakpoint
CREATE TABLE `article_tags` (
	`article_id` integer NOT NULL,
	`tag_id` integer NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`article_id`, `tag_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_tags_position_unique` ON `article_tags` (`article_id`,`position`);--> statement-breakpoint
CREATE INDEX `article_tags_tag_idx` ON `article_tags` (`tag_id`,`article_id`);--> statement-breakpoint
CREATE TABLE `articles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text,
	`intro` text,
	`conclusion` text,
	`image_url` text,
	`image_alt` text,
	`image_caption` text,
	`seo_title` text,
	`seo_description` text,
	`seo_canonical_url` text,
	`seo_og_image` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`published_at` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "articles_status_check" CHECK("articles"."status" in ('draft', 'published')),
	CONSTRAINT "articles_published_at_check" CHECK("articles"."status" = 'draft' or "articles"."published_at" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_unique` ON `articles` (`slug`);--> statement-breakpoint
CREATE INDEX `articles_public_list_idx` ON `articles` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`parent_id` integer,
	`author_name` text NOT NULL,
	`author_email` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`address_hash` text,
	`content_hash` text NOT NULL,
	`spam_score` real DEFAULT 0 NOT NULL,
	`spam_signals` text DEFAULT '{}' NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`parent_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "comments_status_check" CHECK("comments"."status" in ('pending', 'approved', 'rejected', 'spam'))
);
--> statement-breakpoint
CREATE INDEX `comments_thread_idx` ON `comments` (`article_id`,`status`,`parent_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_replies_idx` ON `comments` (`parent_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_queue_idx` ON `comments` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_duplicate_idx` ON `comments` (`content_hash`,`address_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_address_idx` ON `comments` (`address_hash`,`status`);--> statement-breakpoint
CREATE TABLE `content_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "content_version_singleton" CHECK("content_version"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `instance_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `moderation_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`comment_id` integer NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor` text NOT NULL,
	`note` text,
	`at` text NOT NULL,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `moderation_events_comment_idx` ON `moderation_events` (`comment_id`,`at`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`summary` text,
	`description` text,
	`url` text,
	`image_url` text,
	`image_alt` text,
	`image_caption` text,
	`price_amount` integer,
	`price_currency` text,
	`badges` text DEFAULT '[]' NOT NULL,
	`suitable_for` text DEFAULT '[]' NOT NULL,
	`in_stock` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "products_price_check" CHECK(("products"."price_amount" is null) = ("products"."price_currency" is null) and coalesce("products"."price_amount", 0) >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_slug_unique` ON `products` (`slug`);--> statement-breakpoint
CREATE TABLE `sections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`position` integer NOT NULL,
	`heading` text NOT NULL,
	`lead` text,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "sections_position_check" CHECK("sections"."position" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sections_position_unique` ON `sections` (`article_id`,`position`);--> statement-breakpoint
CREATE TABLE `site` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`url` text,
	`announcement` text,
	CONSTRAINT "site_singleton" CHECK("site"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_slug_unique` ON `tags` (`slug`);--> statement-breakpoint
CREATE TABLE `tips` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`section_id` integer NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`image_url` text,
	`image_alt` text,
	`image_caption` text,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "tips_position_check" CHECK("tips"."position" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tips_position_unique` ON `tips` (`section_id`,`position`);