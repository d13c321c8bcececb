-- upgrade
-- alter column public.posts.state (type, default)
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE text USING "state"::text::text;
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::text;
-- drop enum public.post_state [destructive]
DROP TYPE "public"."post_state";

-- downgrade
-- create enum public.post_state
CREATE TYPE "public"."post_state" AS ENUM ('draft', 'published');
-- alter column public.posts.state (type, default) [destructive]
ALTER TABLE "public"."posts" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "public"."posts" ALTER COLUMN "state" TYPE "public"."post_state" USING "state"::text::"public"."post_state";
ALTER TABLE "public"."posts" ALTER COLUMN "state" SET DEFAULT 'draft'::post_state;
