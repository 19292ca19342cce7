CREATE TABLE `comment_article_counts` (
	`article_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`article_id`, `status`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `comments_thread_idx`;--> statement-breakpoint
CREATE INDEX `comments_article_queue_idx` ON `comments` (`article_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `comments_article_status_idx` ON `comments` (`article_id`,`status`,`created_at`,`id`);--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): live comments per article and status, kept by triggers in the same statement as every change, like comment_counts (0001).
INSERT INTO `comment_article_counts` (`article_id`, `status`, `n`) SELECT `article_id`, `status`, count(*) FROM `comments` WHERE `deleted_at` IS NULL GROUP BY `article_id`, `status`;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_insert` AFTER INSERT ON `comments` WHEN new.`deleted_at` IS NULL BEGIN
  INSERT INTO `comment_article_counts` (`article_id`, `status`, `n`) VALUES (new.`article_id`, new.`status`, 1)
    ON CONFLICT (`article_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_update` AFTER UPDATE OF `status`, `deleted_at`, `article_id` ON `comments`
WHEN old.`status` IS NOT new.`status` OR old.`article_id` IS NOT new.`article_id` OR (old.`deleted_at` IS NULL) <> (new.`deleted_at` IS NULL) BEGIN
  UPDATE `comment_article_counts` SET `n` = `n` - 1
    WHERE `article_id` = old.`article_id` AND `status` = old.`status` AND old.`deleted_at` IS NULL;
  INSERT INTO `comment_article_counts` (`article_id`, `status`, `n`) SELECT new.`article_id`, new.`status`, 1 WHERE new.`deleted_at` IS NULL
    ON CONFLICT (`article_id`, `status`) DO UPDATE SET `n` = `n` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `comments_article_count_delete` AFTER DELETE ON `comments` WHEN old.`deleted_at` IS NULL BEGIN
  UPDATE `comment_article_counts` SET `n` = `n` - 1 WHERE `article_id` = old.`article_id` AND `status` = old.`status`;
END;
