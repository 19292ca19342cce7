ALTER TABLE `article_products` ADD `article_status` text DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE `article_products` ADD `article_published_at` text;--> statement-breakpoint
ALTER TABLE `article_products` ADD `article_title` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `article_products_date_idx` ON `article_products` (`product_id`,`article_status`,`article_published_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_products_title_idx` ON `article_products` (`product_id`,`article_status`,`article_title`,`article_id`);--> statement-breakpoint
ALTER TABLE `article_tags` ADD `article_status` text DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE `article_tags` ADD `article_published_at` text;--> statement-breakpoint
ALTER TABLE `article_tags` ADD `article_title` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `article_tags_date_idx` ON `article_tags` (`tag_id`,`article_status`,`article_published_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_tags_title_idx` ON `article_tags` (`tag_id`,`article_status`,`article_title`,`article_id`);--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): article_tags and article_products copy their article's status, published_at and title, the keys of the list indexes above, filled here and kept by triggers in the statement of every write.
UPDATE `article_tags` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `articles`.`id` = `article_tags`.`article_id`);--> statement-breakpoint
UPDATE `article_products` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `articles`.`id` = `article_products`.`article_id`);--> statement-breakpoint
CREATE TRIGGER `article_tags_list_keys_insert` AFTER INSERT ON `article_tags` BEGIN
  UPDATE `article_tags` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `id` = new.`article_id`)
    WHERE `article_id` = new.`article_id` AND `tag_id` = new.`tag_id`;
END;--> statement-breakpoint
CREATE TRIGGER `article_tags_list_keys_update` AFTER UPDATE OF `article_id` ON `article_tags` BEGIN
  UPDATE `article_tags` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `id` = new.`article_id`)
    WHERE `article_id` = new.`article_id` AND `tag_id` = new.`tag_id`;
END;--> statement-breakpoint
CREATE TRIGGER `article_products_list_keys_insert` AFTER INSERT ON `article_products` BEGIN
  UPDATE `article_products` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `id` = new.`article_id`)
    WHERE `id` = new.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `article_products_list_keys_update` AFTER UPDATE OF `article_id` ON `article_products` BEGIN
  UPDATE `article_products` SET (`article_status`, `article_published_at`, `article_title`) = (SELECT `status`, `published_at`, `title` FROM `articles` WHERE `id` = new.`article_id`)
    WHERE `id` = new.`id`;
END;--> statement-breakpoint
CREATE TRIGGER `articles_list_keys_update` AFTER UPDATE OF `status`, `published_at`, `title` ON `articles`
WHEN old.`status` IS NOT new.`status` OR old.`published_at` IS NOT new.`published_at` OR old.`title` IS NOT new.`title` BEGIN
  UPDATE `article_tags` SET (`article_status`, `article_published_at`, `article_title`) = (new.`status`, new.`published_at`, new.`title`) WHERE `article_id` = new.`id`;
  UPDATE `article_products` SET (`article_status`, `article_published_at`, `article_title`) = (new.`status`, new.`published_at`, new.`title`) WHERE `article_id` = new.`id`;
END;
