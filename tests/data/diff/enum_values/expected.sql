-- upgrade
-- add value 'archived' to enum public.post_state
ALTER TYPE "public"."post_state" ADD VALUE 'archived';
-- add value 'review' to enum public.post_state
ALTER TYPE "public"."post_state" ADD VALUE 'review' BEFORE 'published';

-- downgrade
-- drop value 'review' from enum public.post_state [destructive]
ALTER TYPE "public"."post_state" RENAME TO "post_state_retort_old";
CREATE TYPE "public"."post_state" AS ENUM ('draft', 'published', 'archived');
DROP INDEX "public"."ix_posts_user_id_state";
ALTER TABLE "public"."posts" DROP CONSTRAINT "ck_posts_body";
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE "public"."post_state" USING "state"::text::"public"."post_state";
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::post_state;
ALTER TABLE "public"."posts" ADD CONSTRAINT "ck_posts_body" CHECK ((length(body) < 10000));
CREATE INDEX "ix_posts_user_id_state" ON "public"."posts" USING "btree" ("user_id", "state") WHERE (body IS NOT NULL);
DROP TYPE "public"."post_state_retort_old";
-- drop value 'archived' from enum public.post_state [destructive]
ALTER TYPE "public"."post_state" RENAME TO "post_state_retort_old";
CREATE TYPE "public"."post_state" AS ENUM ('draft', 'published');
DROP INDEX "public"."ix_posts_user_id_state";
ALTER TABLE "public"."posts" DROP CONSTRAINT "ck_posts_body";
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE "public"."post_state" USING "state"::text::"public"."post_state";
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::post_state;
ALTER TABLE "public"."posts" ADD CONSTRAINT "ck_posts_body" CHECK ((length(body) < 10000));
CREATE INDEX "ix_posts_user_id_state" ON "public"."posts" USING "btree" ("user_id", "state") WHERE (body IS NOT NULL);
DROP TYPE "public"."post_state_retort_old";
