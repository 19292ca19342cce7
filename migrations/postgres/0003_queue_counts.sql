CREATE TABLE "comment_article_counts" (
	"article_id" integer NOT NULL,
	"status" text COLLATE "C" NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "comment_article_counts_article_id_status_pk" PRIMARY KEY("article_id","status")
);
--> statement-breakpoint
DROP INDEX "comments_thread_idx";--> statement-breakpoint
ALTER TABLE "comment_article_counts" ADD CONSTRAINT "comment_article_counts_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comments_article_queue_idx" ON "comments" USING btree ("article_id","created_at","id");--> statement-breakpoint
CREATE INDEX "comments_article_status_idx" ON "comments" USING btree ("article_id","status","created_at","id");--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): live comments per article and status, kept by statement triggers in the same statement as every change, like comment_counts (0001). Rows are changed in (article_id, status) order, so two transactions lock them in the same order.
INSERT INTO "comment_article_counts" ("article_id", "status", "n") SELECT "article_id", "status", count(*) FROM "comments" WHERE "deleted_at" IS NULL GROUP BY "article_id", "status";--> statement-breakpoint
CREATE FUNCTION "comment_article_counts_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "n")
  SELECT "article_id", "status", count(*) FROM new_rows WHERE "deleted_at" IS NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("article_id", "status") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "comment_article_counts_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "n")
  SELECT "article_id", "status", -count(*) FROM old_rows WHERE "deleted_at" IS NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("article_id", "status") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "comment_article_counts_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "n")
  SELECT "article_id", "status", sum("d") FROM (
    SELECT "article_id", "status", -1 AS "d" FROM old_rows WHERE "deleted_at" IS NULL
    UNION ALL
    SELECT "article_id", "status", 1 AS "d" FROM new_rows WHERE "deleted_at" IS NULL
  ) AS changes GROUP BY 1, 2 HAVING sum("d") <> 0 ORDER BY 1, 2
  ON CONFLICT ("article_id", "status") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "comments_article_count_insert" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "comment_article_counts_insert"();--> statement-breakpoint
CREATE TRIGGER "comments_article_count_update" AFTER UPDATE ON "comments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "comment_article_counts_update"();--> statement-breakpoint
CREATE TRIGGER "comments_article_count_delete" AFTER DELETE ON "comments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "comment_article_counts_delete"();
