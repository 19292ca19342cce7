-- Hand-written: keep each article's tsvector in its row. With the default storage the text and the
-- document outgrow a row's 2 KB, the document goes to the TOAST table, and every test of a match and
-- every rank reads it there: 1,000 documents cost 2–4 ms instead of 0.6. MAIN moves it out only when
-- the row would not fit a page; the body text (EXTENDED) is compressed and moved out first.
ALTER TABLE "article_search" ALTER COLUMN "document" SET STORAGE MAIN;--> statement-breakpoint
-- Rewriting the table applies the new storage to the rows already stored (no document is re-parsed).
CLUSTER "article_search" USING "article_search_pkey";--> statement-breakpoint
ALTER TABLE "article_search" SET WITHOUT CLUSTER;
