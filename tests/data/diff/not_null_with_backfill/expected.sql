-- upgrade
-- add column public.users.role
ALTER TABLE "public"."users" ADD COLUMN "role" varchar(50);
-- backfill column public.users.role
UPDATE "public"."users" SET "role" = 'user' WHERE "role" IS NULL;
-- alter column public.users.role (nullability)
ALTER TABLE "public"."users" ALTER COLUMN "role" SET NOT NULL;

-- downgrade
-- alter column public.users.role (nullability)
ALTER TABLE "public"."users" ALTER COLUMN "role" DROP NOT NULL;
-- drop column public.users.role [destructive]
ALTER TABLE "public"."users" DROP COLUMN "role";
