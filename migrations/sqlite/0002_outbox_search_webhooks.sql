CREATE TABLE `article_search` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`headings` text NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `outbox_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`tx_id` integer DEFAULT 0 NOT NULL,
	`event_id` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tx_id` integer DEFAULT 0 NOT NULL,
	`type` text NOT NULL,
	`kind` text NOT NULL,
	`resource_id` integer NOT NULL,
	`slug` text,
	`previous_slug` text,
	`surrogate_keys` text NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_events_order_idx` ON `outbox_events` (`tx_id`,`id`);--> statement-breakpoint
CREATE INDEX `outbox_events_at_idx` ON `outbox_events` (`at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`claimed_until` text,
	`last_attempt_at` text,
	`last_status_code` integer,
	`last_error` text,
	`last_response_body` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_id`) REFERENCES `outbox_events`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "webhook_deliveries_status_check" CHECK("webhook_deliveries"."status" in ('pending', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_webhook_idx` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`events` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`secret` text NOT NULL,
	`disabled_reason` text,
	`failing_since` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `articles` ADD `preview_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `articles_title_idx` ON `articles` (`status`,`title`,`id`);--> statement-breakpoint
-- Hand-written (drizzle cannot express FTS5): the article search index over article_search, external content kept by triggers; Porter stemming for English.
CREATE VIRTUAL TABLE `article_search_fts` USING fts5(`title`, `headings`, `body`, content='article_search', content_rowid='article_id', tokenize='porter unicode61 remove_diacritics 2');--> statement-breakpoint
CREATE TRIGGER `article_search_fts_insert` AFTER INSERT ON `article_search` BEGIN
  INSERT INTO `article_search_fts` (`rowid`, `title`, `headings`, `body`) VALUES (new.`article_id`, new.`title`, new.`headings`, new.`body`);
END;--> statement-breakpoint
CREATE TRIGGER `article_search_fts_delete` AFTER DELETE ON `article_search` BEGIN
  INSERT INTO `article_search_fts` (`article_search_fts`, `rowid`, `title`, `headings`, `body`) VALUES ('delete', old.`article_id`, old.`title`, old.`headings`, old.`body`);
END;--> statement-breakpoint
CREATE TRIGGER `article_search_fts_update` AFTER UPDATE ON `article_search` BEGIN
  INSERT INTO `article_search_fts` (`article_search_fts`, `rowid`, `title`, `headings`, `body`) VALUES ('delete', old.`article_id`, old.`title`, old.`headings`, old.`body`);
  INSERT INTO `article_search_fts` (`rowid`, `title`, `headings`, `body`) VALUES (new.`article_id`, new.`title`, new.`headings`, new.`body`);
END;--> statement-breakpoint
-- Backfill: every existing article's text (the application rewrites a row with every later edit).
INSERT INTO `article_search` (`article_id`, `title`, `headings`, `body`)
SELECT a.`id`, a.`title`,
  coalesce((SELECT group_concat(s.`heading`, char(10)) FROM `sections` s WHERE s.`article_id` = a.`id`), ''),
  concat_ws(char(10), a.`summary`, a.`intro`,
    (SELECT group_concat(s.`lead`, char(10)) FROM `sections` s WHERE s.`article_id` = a.`id`),
    (SELECT group_concat(t.`title` || char(10) || t.`body`, char(10)) FROM `tips` t JOIN `sections` s ON s.`id` = t.`section_id` WHERE s.`article_id` = a.`id`),
    a.`conclusion`)
FROM `articles` a;
