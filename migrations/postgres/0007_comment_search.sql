CREATE TABLE "comment_search" (
	"comment_id" integer PRIMARY KEY NOT NULL,
	"document" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "comment_search" ADD CONSTRAINT "comment_search_comment_id_comments_id_fk" FOREIGN KEY ("comment_id") REFERENCES "public"."comments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-written: the documents of existing comments, before the index below is built (one build, not a million inserts).
INSERT INTO "comment_search" ("comment_id", "document") SELECT "id", to_tsvector('simple', "body" || ' ' || "author_name") FROM "comments";--> statement-breakpoint
CREATE INDEX "comment_search_document_idx" ON "comment_search" USING gin ("document");--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): the stored document of src/db/postgres/text-search.ts replaces the expression index of migration 0001, which recomputed it for every row a query tested and every status change rewrote.
DROP INDEX IF EXISTS "comments_text_idx";--> statement-breakpoint
CREATE FUNCTION "comment_search_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "comment_search" ("comment_id", "document")
  SELECT "id", to_tsvector('simple', "body" || ' ' || "author_name") FROM new_rows;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "comment_search_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "comment_search" SET "document" = to_tsvector('simple', NEW."body" || ' ' || NEW."author_name") WHERE "comment_id" = NEW."id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "comments_search_insert" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "comment_search_insert"();--> statement-breakpoint
CREATE TRIGGER "comments_search_update" AFTER UPDATE OF "body", "author_name" ON "comments" FOR EACH ROW WHEN (OLD."body" IS DISTINCT FROM NEW."body" OR OLD."author_name" IS DISTINCT FROM NEW."author_name") EXECUTE FUNCTION "comment_search_update"();