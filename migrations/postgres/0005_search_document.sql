-- Hand-written: the expression index of migration 0002 (not in any snapshot) gives way to the index on the stored column below.
DROP INDEX IF EXISTS "article_search_document_idx";--> statement-breakpoint
ALTER TABLE "article_search" ADD COLUMN "document" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', "headings"), 'B') || setweight(to_tsvector('english', "body"), 'C')) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "article_search_document_idx" ON "article_search" USING gin ("document");