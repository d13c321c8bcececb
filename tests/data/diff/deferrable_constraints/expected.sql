-- upgrade
-- drop foreign key fk_seats_room_id_rooms on public.seats
ALTER TABLE "public"."seats" DROP CONSTRAINT "fk_seats_room_id_rooms";
-- add unique constraint uq_rooms_code on public.rooms
-- (outside a transaction)
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "uq_rooms_code" ON "public"."rooms" USING "btree" ("code");
ALTER TABLE "public"."rooms" ADD CONSTRAINT "uq_rooms_code" UNIQUE USING INDEX "uq_rooms_code" DEFERRABLE;
-- add unique constraint uq_seats_room_id_position on public.seats
-- (outside a transaction)
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "uq_seats_room_id_position" ON "public"."seats" USING "btree" ("room_id", "position");
ALTER TABLE "public"."seats" ADD CONSTRAINT "uq_seats_room_id_position" UNIQUE USING INDEX "uq_seats_room_id_position" DEFERRABLE INITIALLY DEFERRED;
-- add foreign key fk_seats_room_id_rooms on public.seats
ALTER TABLE "public"."seats" ADD CONSTRAINT "fk_seats_room_id_rooms" FOREIGN KEY ("room_id") REFERENCES "public"."rooms" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."seats" VALIDATE CONSTRAINT "fk_seats_room_id_rooms";

-- downgrade
-- drop foreign key fk_seats_room_id_rooms on public.seats
ALTER TABLE "public"."seats" DROP CONSTRAINT "fk_seats_room_id_rooms";
-- drop unique constraint uq_seats_room_id_position on public.seats
ALTER TABLE "public"."seats" DROP CONSTRAINT "uq_seats_room_id_position";
-- drop unique constraint uq_rooms_code on public.rooms
ALTER TABLE "public"."rooms" DROP CONSTRAINT "uq_rooms_code";
-- add foreign key fk_seats_room_id_rooms on public.seats
ALTER TABLE "public"."seats" ADD CONSTRAINT "fk_seats_room_id_rooms" FOREIGN KEY ("room_id") REFERENCES "public"."rooms" ("id") NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."seats" VALIDATE CONSTRAINT "fk_seats_room_id_rooms";
