DROP INDEX "article_products_title_idx";--> statement-breakpoint
DROP INDEX "article_tags_title_idx";--> statement-breakpoint
CREATE INDEX "article_products_title_idx" ON "article_products" USING btree ("product_id","article_status","article_title","article_id","article_published_at");--> statement-breakpoint
CREATE INDEX "article_tags_title_idx" ON "article_tags" USING btree ("tag_id","article_status","article_title","article_id","article_published_at");