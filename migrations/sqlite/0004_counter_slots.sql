-- Hand-written around drizzle-kit's table rebuild: the count triggers name these tables (a rename with them in place fails), so they go first and come back with the new key.
DROP TRIGGER `comments_count_insert`;--> statement-breakpoint
DROP TRIGGER `comments_count_update`;--> statement-breakpoint
DROP TRIGGER `comments_count_delete`;--> statement-breakpoint
DROP TRIGGER `comments_article_count_insert`;--> statement-breakpoint
DROP TRIGGER `comments_article_count_update`;--> statement-breakpoint
DROP TRIGGER `comments_article_count_delete`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_comment_article_counts` (
	`article_id` integer NOT NULL,
	`status` text NOT NULL,
	`slot` integer DEFAULT 0 NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`article_id`, `status`, `slot`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_comment_article_counts`("article_id", "status", "slot", "n") SELECT "article_id", "status", 0, "n" FROM `comment_article_counts`;--> statement-breakpoint
DROP TABLE `comment_article_counts`;--> statement-breakpoint
ALTER TABLE `__new_comment_article_counts` RENAME TO `comment_article_counts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_comment_counts` (
	`status` text NOT NULL,
	`slot` integer DEFAULT 0 NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`status`, `slot`)
);
--> statement-breakpoint
INSERT INTO `__new_comment_counts`("status", "slot", "n") SELECT "status", 0, "n" FROM `comment_counts`;--> statement-breakpoint
DROP TABLE `comment_counts`;--> statement-breakpoint
ALTER TABLE `__new_comment_counts` RENAME TO `comment_counts`;--> statement-breakpoint
-- SQLite has one writer, so one row per status (slot 0) is enough: the triggers of 0001 and 0003, keyed with the slot.
CREATE TRIGGER `comments_count_insert` AFTER INSERT ON `comments` WHEN new.`deleted_at` IS NULL BEGIN
  UPDATE `comment_counts` SET `n` = `n` + 1 WHERE `status` = new.`status` AND `slot` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `comments_count_update` AFTER UPDATE OF `status`, `deleted_at` ON `comments`
WHEN old.`status` IS NOT new.`status` OR (old.`deleted_at` IS NULL) <> (new.`deleted_at` IS NULL) BEGIN
  UPDATE `comment_counts` SET `n` = `n` - 1 WHERE `status` = old.`status` AND `slot` = 0 AND old.`deleted_at` IS NULL;
  UPDATE `comment_counts` SET `n` = `n` + 1 WHERE `status` = new.`status` AND `slot` = 0 AND new.`deleted_at` IS NULL;
END;--> statement-breakpoint
CREATE TRIGGER `comments_count_delete` AFTER DELETE ON `comments` WHEN old.`deleted_at` IS NULL BEGIN
  UPDATE `comment_counts` SET `n` = `n` - 1 WHERE `status` = old.`status` AND `slot` = 0;
END;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_insert` AFTER INSERT ON `comments` WHEN new.`deleted_at` IS NULL BEGIN
  INSERT INTO `comment_article_counts` (`article_id`, `status`, `slot`, `n`) VALUES (new.`article_id`, new.`status`, 0, 1)
    ON CONFLICT (`article_id`, `status`, `slot`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_update` AFTER UPDATE OF `status`, `deleted_at`, `article_id` ON `comments`
WHEN old.`status` IS NOT new.`status` OR old.`article_id` IS NOT new.`article_id` OR (old.`deleted_at` IS NULL) <> (new.`deleted_at` IS NULL) BEGIN
  UPDATE `comment_article_counts` SET `n` = `n` - 1
    WHERE `article_id` = old.`article_id` AND `status` = old.`status` AND `slot` = 0 AND old.`deleted_at` IS NULL;
  INSERT INTO `comment_article_counts` (`article_id`, `status`, `slot`, `n`) SELECT new.`article_id`, new.`status`, 0, 1 WHERE new.`deleted_at` IS NULL
    ON CONFLICT (`article_id`, `status`, `slot`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_delete` AFTER DELETE ON `comments` WHEN old.`deleted_at` IS NULL BEGIN
  UPDATE `comment_article_counts` SET `n` = `n` - 1 WHERE `article_id` = old.`article_id` AND `status` = old.`status` AND `slot` = 0;
END;
