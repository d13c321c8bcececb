-- upgrade
-- create extension citext
CREATE EXTENSION "citext" SCHEMA "public";
-- alter column public.users.email (type)
ALTER TABLE "public"."users" ALTER COLUMN "email" TYPE "public".citext USING "email"::"public".citext;
-- create table public.bookings
CREATE TABLE "public"."bookings" (
  "id" bigserial NOT NULL,
  "seats" int4range NOT NULL,
  "during" tstzrange,
  "tags" "public".citext[],
  "booked_at" timestamp(3) with time zone NOT NULL,
  "flags" bit varying(8),
  "search" tsvector,
  CONSTRAINT "pk_bookings" PRIMARY KEY ("id")
);
CREATE INDEX "ix_bookings_search" ON "public"."bookings" USING "gin" ("search");

-- downgrade
-- drop table public.bookings [destructive]
DROP TABLE "public"."bookings";
-- alter column public.users.email (type)
ALTER TABLE "public"."users" ALTER COLUMN "email" TYPE text USING "email"::text;
-- drop extension citext
DROP EXTENSION "citext";
