-- upgrade
-- drop exclusion constraint ex_bookings_during on public.bookings
ALTER TABLE "public"."bookings" DROP CONSTRAINT "ex_bookings_during";
-- create table public.slots
CREATE TABLE "public"."slots" (
  "id" bigint NOT NULL,
  "span" int4range NOT NULL,
  "label" text NOT NULL,
  CONSTRAINT "pk_slots" PRIMARY KEY ("id"),
  CONSTRAINT "ex_slots_span_lower_label" EXCLUDE USING "gist" ("span" WITH &&, (lower(label)) WITH =) DEFERRABLE INITIALLY DEFERRED
);
-- add exclusion constraint ex_bookings_room_during on public.bookings
ALTER TABLE "public"."bookings" ADD CONSTRAINT "ex_bookings_room_during" EXCLUDE USING "gist" ("room" WITH =, "during" WITH &&) INCLUDE ("id") WHERE ((NOT cancelled));

-- downgrade
-- drop exclusion constraint ex_bookings_room_during on public.bookings
ALTER TABLE "public"."bookings" DROP CONSTRAINT "ex_bookings_room_during";
-- drop table public.slots [destructive]
DROP TABLE "public"."slots";
-- add exclusion constraint ex_bookings_during on public.bookings
ALTER TABLE "public"."bookings" ADD CONSTRAINT "ex_bookings_during" EXCLUDE USING "gist" ("during" WITH &&);
