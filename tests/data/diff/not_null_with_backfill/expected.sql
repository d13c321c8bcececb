-- upgrade
-- add column public.users.role
ALTER TABLE "public"."users" ADD COLUMN "role" varchar(50);
-- backfill column public.users.role
-- (in a transaction of its own)
UPDATE "public"."users" SET "role" = 'user' WHERE "role" IS NULL;
-- alter column public.users.role (nullability)
ALTER TABLE "public"."users" ADD CONSTRAINT "retort_not_null_role" CHECK ("role" IS NOT NULL) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."users" VALIDATE CONSTRAINT "retort_not_null_role";
ALTER TABLE "public"."users" ALTER COLUMN "role" SET NOT NULL;
ALTER TABLE "public"."users" DROP CONSTRAINT "retort_not_null_role";

-- downgrade
-- alter column public.users.role (nullability)
ALTER TABLE "public"."users" ALTER COLUMN "role" DROP NOT NULL;
-- drop column public.users.role [destructive]
ALTER TABLE "public"."users" DROP COLUMN "role";
