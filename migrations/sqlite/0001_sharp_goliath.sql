CREATE TABLE `comment_blocks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "comment_blocks_kind_check" CHECK("comment_blocks"."kind" in ('word', 'email', 'address'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `comment_blocks_kind_value_unique` ON `comment_blocks` (`kind`,`value`);--> statement-breakpoint
CREATE TABLE `comment_counts` (
	`status` text PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comments_created_idx` ON `comments` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_author_idx` ON `comments` (lower(trim("author_email")),`status`,`id`);--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers or FTS5): live comments per status, kept by triggers in the same statement as every change.
INSERT INTO `comment_counts` (`status`, `n`) VALUES ('pending', 0), ('approved', 0), ('rejected', 0), ('spam', 0);--> statement-breakpoint
UPDATE `comment_counts` SET `n` = (SELECT count(*) FROM `comments` WHERE `comments`.`status` = `comment_counts`.`status` AND `comments`.`deleted_at` IS NULL);--> statement-breakpoint
CREATE TRIGGER `comments_count_insert` AFTER INSERT ON `comments` WHEN new.`deleted_at` IS NULL BEGIN
  UPDATE `comment_counts` SET `n` = `n` + 1 WHERE `status` = new.`status`;
END;--> statement-breakpoint
CREATE TRIGGER `comments_count_update` AFTER UPDATE OF `status`, `deleted_at` ON `comments`
WHEN old.`status` IS NOT new.`status` OR (old.`deleted_at` IS NULL) <> (new.`deleted_at` IS NULL) BEGIN
  UPDATE `comment_counts` SET `n` = `n` - 1 WHERE `status` = old.`status` AND old.`deleted_at` IS NULL;
  UPDATE `comment_counts` SET `n` = `n` + 1 WHERE `status` = new.`status` AND new.`deleted_at` IS NULL;
END;--> statement-breakpoint
CREATE TRIGGER `comments_count_delete` AFTER DELETE ON `comments` WHEN old.`deleted_at` IS NULL BEGIN
  UPDATE `comment_counts` SET `n` = `n` - 1 WHERE `status` = old.`status`;
END;--> statement-breakpoint
-- The queue's text search: FTS5 over body and author name, an external-content table kept by triggers.
CREATE VIRTUAL TABLE `comments_fts` USING fts5(`body`, `author_name`, content='comments', content_rowid='id', tokenize='unicode61 remove_diacritics 2');--> statement-breakpoint
INSERT INTO `comments_fts` (`comments_fts`) VALUES ('rebuild');--> statement-breakpoint
CREATE TRIGGER `comments_fts_insert` AFTER INSERT ON `comments` BEGIN
  INSERT INTO `comments_fts` (`rowid`, `body`, `author_name`) VALUES (new.`id`, new.`body`, new.`author_name`);
END;--> statement-breakpoint
CREATE TRIGGER `comments_fts_delete` AFTER DELETE ON `comments` BEGIN
  INSERT INTO `comments_fts` (`comments_fts`, `rowid`, `body`, `author_name`) VALUES ('delete', old.`id`, old.`body`, old.`author_name`);
END;--> statement-breakpoint
CREATE TRIGGER `comments_fts_update` AFTER UPDATE OF `body`, `author_name` ON `comments` BEGIN
  INSERT INTO `comments_fts` (`comments_fts`, `rowid`, `body`, `author_name`) VALUES ('delete', old.`id`, old.`body`, old.`author_name`);
  INSERT INTO `comments_fts` (`rowid`, `body`, `author_name`) VALUES (new.`id`, new.`body`, new.`author_name`);
END;
