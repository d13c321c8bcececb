-- upgrade
-- add column public.events.seq
ALTER TABLE "public"."events" ADD COLUMN "seq" bigserial NOT NULL;
-- create table public.tickets
CREATE TABLE "public"."tickets" (
  "id" serial NOT NULL,
  "small" smallserial NOT NULL,
  CONSTRAINT "pk_tickets" PRIMARY KEY ("id")
);

-- downgrade
-- drop table public.tickets [destructive]
DROP TABLE "public"."tickets";
-- drop column public.events.seq [destructive]
ALTER TABLE "public"."events" DROP COLUMN "seq";
