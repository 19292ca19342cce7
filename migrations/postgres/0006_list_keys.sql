ALTER TABLE "article_products" ADD COLUMN "article_status" text COLLATE "C" DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE "article_products" ADD COLUMN "article_published_at" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "article_products" ADD COLUMN "article_title" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "article_tags" ADD COLUMN "article_status" text COLLATE "C" DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE "article_tags" ADD COLUMN "article_published_at" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "article_tags" ADD COLUMN "article_title" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "article_products_date_idx" ON "article_products" USING btree ("product_id","article_status","article_published_at","article_id");--> statement-breakpoint
CREATE INDEX "article_products_title_idx" ON "article_products" USING btree ("product_id","article_status","article_title","article_id");--> statement-breakpoint
CREATE INDEX "article_tags_date_idx" ON "article_tags" USING btree ("tag_id","article_status","article_published_at","article_id");--> statement-breakpoint
CREATE INDEX "article_tags_title_idx" ON "article_tags" USING btree ("tag_id","article_status","article_title","article_id");--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): article_tags and article_products copy their article's status, published_at and title, the keys of the list indexes above, filled here and kept by triggers in the statement of every write.
UPDATE "article_tags" SET ("article_status", "article_published_at", "article_title") = (SELECT "status", "published_at", "title" FROM "articles" WHERE "articles"."id" = "article_tags"."article_id");--> statement-breakpoint
UPDATE "article_products" SET ("article_status", "article_published_at", "article_title") = (SELECT "status", "published_at", "title" FROM "articles" WHERE "articles"."id" = "article_products"."article_id");--> statement-breakpoint
-- FOR SHARE: a concurrent write to the article either commits first (and is the row read) or waits for this insert, whose link its trigger then updates.
CREATE FUNCTION "article_list_keys_copy"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT "status", "published_at", "title" INTO NEW."article_status", NEW."article_published_at", NEW."article_title"
    FROM "articles" WHERE "id" = NEW."article_id" FOR SHARE;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE FUNCTION "article_list_keys_spread"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "article_tags" SET ("article_status", "article_published_at", "article_title") = (NEW."status", NEW."published_at", NEW."title") WHERE "article_id" = NEW."id";
  UPDATE "article_products" SET ("article_status", "article_published_at", "article_title") = (NEW."status", NEW."published_at", NEW."title") WHERE "article_id" = NEW."id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "article_tags_list_keys" BEFORE INSERT OR UPDATE OF "article_id" ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "article_list_keys_copy"();--> statement-breakpoint
CREATE TRIGGER "article_products_list_keys" BEFORE INSERT OR UPDATE OF "article_id" ON "article_products" FOR EACH ROW EXECUTE FUNCTION "article_list_keys_copy"();--> statement-breakpoint
CREATE TRIGGER "articles_list_keys" AFTER UPDATE OF "status", "published_at", "title" ON "articles" FOR EACH ROW
WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."published_at" IS DISTINCT FROM NEW."published_at" OR OLD."title" IS DISTINCT FROM NEW."title")
EXECUTE FUNCTION "article_list_keys_spread"();
