-- Hand-written (drizzle-kit does not manage FTS5 tables): the comment text index again, with prefix indexes for 1 to 3 characters.
-- A short word standing for many indexed words was a prefix query that merged thousands of doclists per comment tested (16 ms a probe,
-- a queue page searching "s" took 1.1 s at 1M comments); with the prefix index it is one doclist (0.02 ms a probe). The triggers of
-- migration 0001 name the table and carry on.
DROP TABLE `comments_fts`;--> statement-breakpoint
CREATE VIRTUAL TABLE `comments_fts` USING fts5(`body`, `author_name`, content='comments', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3');--> statement-breakpoint
INSERT INTO `comments_fts` (`comments_fts`) VALUES ('rebuild');
