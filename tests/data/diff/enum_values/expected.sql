-- upgrade
-- add value 'archived' to enum public.post_state
ALTER TYPE "public"."post_state" ADD VALUE 'archived';
-- add value 'review' to enum public.post_state
ALTER TYPE "public"."post_state" ADD VALUE 'review' BEFORE 'published';

-- downgrade
-- drop value 'review' from enum public.post_state [destructive]
ALTER TYPE "public"."post_state" RENAME TO "post_state_retort_old";
CREATE TYPE "public"."post_state" AS ENUM ('draft', 'published', 'archived');
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE "public"."post_state" USING "state"::text::"public"."post_state";
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::post_state;
DROP TYPE "public"."post_state_retort_old";
-- drop value 'archived' from enum public.post_state [destructive]
ALTER TYPE "public"."post_state" RENAME TO "post_state_retort_old";
CREATE TYPE "public"."post_state" AS ENUM ('draft', 'published');
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE "public"."post_state" USING "state"::text::"public"."post_state";
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::post_state;
DROP TYPE "public"."post_state_retort_old";
