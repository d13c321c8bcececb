-- upgrade
-- add column public.users.phone_number
ALTER TABLE "public"."users" ADD COLUMN "phone_number" varchar(20);
COMMENT ON COLUMN "public"."users"."phone_number" IS 'E.164';

-- downgrade
-- drop column public.users.phone_number [destructive]
ALTER TABLE "public"."users" DROP COLUMN "phone_number";
