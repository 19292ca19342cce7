DROP INDEX `article_products_title_idx`;--> statement-breakpoint
CREATE INDEX `article_products_title_idx` ON `article_products` (`product_id`,`article_status`,`article_title`,`article_id`,`article_published_at`);--> statement-breakpoint
DROP INDEX `article_tags_title_idx`;--> statement-breakpoint
CREATE INDEX `article_tags_title_idx` ON `article_tags` (`tag_id`,`article_status`,`article_title`,`article_id`,`article_published_at`);