ALTER TABLE "comment_article_counts" DROP CONSTRAINT "comment_article_counts_article_id_status_pk";--> statement-breakpoint
ALTER TABLE "comment_counts" DROP CONSTRAINT "comment_counts_pkey";--> statement-breakpoint
ALTER TABLE "comment_article_counts" ADD COLUMN "slot" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "comment_counts" ADD COLUMN "slot" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "comment_article_counts" ADD CONSTRAINT "comment_article_counts_article_id_status_slot_pk" PRIMARY KEY("article_id","status","slot");--> statement-breakpoint
ALTER TABLE "comment_counts" ADD CONSTRAINT "comment_counts_status_slot_pk" PRIMARY KEY("status","slot");--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): the count triggers of 0001 and 0003 add to the slot of the writing backend (pg_backend_pid() % 16) instead of one row per status,
-- so concurrent submissions no longer queue on one row lock until commit; readers sum the slots. Within a slot, rows are still changed in (article_id, status) order.
CREATE OR REPLACE FUNCTION "comment_counts_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_counts" AS c ("status", "slot", "n")
  SELECT "status", pg_backend_pid() % 16, count(*) FROM new_rows WHERE "deleted_at" IS NULL GROUP BY "status" ORDER BY "status"
  ON CONFLICT ("status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "comment_counts_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_counts" AS c ("status", "slot", "n")
  SELECT "status", pg_backend_pid() % 16, -count(*) FROM old_rows WHERE "deleted_at" IS NULL GROUP BY "status" ORDER BY "status"
  ON CONFLICT ("status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "comment_counts_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_counts" AS c ("status", "slot", "n")
  SELECT "status", pg_backend_pid() % 16, sum("d") FROM (
    SELECT "status", -1 AS "d" FROM old_rows WHERE "deleted_at" IS NULL
    UNION ALL
    SELECT "status", 1 AS "d" FROM new_rows WHERE "deleted_at" IS NULL
  ) AS changes GROUP BY "status" HAVING sum("d") <> 0 ORDER BY "status"
  ON CONFLICT ("status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "comment_article_counts_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "slot", "n")
  SELECT "article_id", "status", pg_backend_pid() % 16, count(*) FROM new_rows WHERE "deleted_at" IS NULL
  GROUP BY "article_id", "status" ORDER BY "article_id", "status"
  ON CONFLICT ("article_id", "status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "comment_article_counts_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "slot", "n")
  SELECT "article_id", "status", pg_backend_pid() % 16, -count(*) FROM old_rows WHERE "deleted_at" IS NULL
  GROUP BY "article_id", "status" ORDER BY "article_id", "status"
  ON CONFLICT ("article_id", "status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "comment_article_counts_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_article_counts" AS c ("article_id", "status", "slot", "n")
  SELECT "article_id", "status", pg_backend_pid() % 16, sum("d") FROM (
    SELECT "article_id", "status", -1 AS "d" FROM old_rows WHERE "deleted_at" IS NULL
    UNION ALL
    SELECT "article_id", "status", 1 AS "d" FROM new_rows WHERE "deleted_at" IS NULL
  ) AS changes GROUP BY "article_id", "status" HAVING sum("d") <> 0 ORDER BY "article_id", "status"
  ON CONFLICT ("article_id", "status", "slot") DO UPDATE SET "n" = c."n" + excluded."n";
  RETURN NULL;
END $$;
