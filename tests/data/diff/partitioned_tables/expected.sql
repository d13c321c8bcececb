-- upgrade
-- add column public.events.source
ALTER TABLE "public"."events" ADD COLUMN "source" text;
-- backfill column public.events.source
-- (outside a transaction)
DO $retort$
DECLARE n bigint;
BEGIN
  LOOP
    UPDATE "public"."events" SET "source" = 'web' WHERE ctid = ANY (ARRAY(SELECT ctid FROM "public"."events" WHERE "source" IS NULL LIMIT 500)) AND "source" IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    EXIT WHEN n = 0;
    COMMIT;
  END LOOP;
END
$retort$;
-- alter column public.events.source (nullability)
ALTER TABLE "public"."events" ADD CONSTRAINT "retort_not_null_source" CHECK ("source" IS NOT NULL) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."events" VALIDATE CONSTRAINT "retort_not_null_source";
ALTER TABLE "public"."events" ALTER COLUMN "source" SET NOT NULL;
ALTER TABLE "public"."events" DROP CONSTRAINT "retort_not_null_source";
-- create table public.readings
CREATE TABLE "public"."readings" (
  "device" integer NOT NULL,
  "region" text NOT NULL,
  "value" double precision NOT NULL
) PARTITION BY LIST ("region");
CREATE INDEX "ix_readings_device" ON "public"."readings" USING "btree" ("device");
-- create table public.sessions
CREATE TABLE "public"."sessions" (
  "id" uuid NOT NULL,
  "user_id" bigint NOT NULL,
  CONSTRAINT "pk_sessions" PRIMARY KEY ("user_id", "id")
) PARTITION BY HASH ("user_id");
-- add unique constraint uq_events_kind_id_created_at on public.events
ALTER TABLE "public"."events" ADD CONSTRAINT "uq_events_kind_id_created_at" UNIQUE ("kind", "id", "created_at");
-- create index ix_events_kind on public.events
CREATE INDEX "ix_events_kind" ON "public"."events" USING "btree" ("kind");
-- add foreign key fk_events_user_id_users on public.events
ALTER TABLE "public"."events" ADD CONSTRAINT "fk_events_user_id_users" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id");

-- downgrade
-- drop foreign key fk_events_user_id_users on public.events
ALTER TABLE "public"."events" DROP CONSTRAINT "fk_events_user_id_users";
-- drop index ix_events_kind on public.events
DROP INDEX "public"."ix_events_kind";
-- drop unique constraint uq_events_kind_id_created_at on public.events
ALTER TABLE "public"."events" DROP CONSTRAINT "uq_events_kind_id_created_at";
-- drop table public.sessions [destructive]
DROP TABLE "public"."sessions";
-- drop table public.readings [destructive]
DROP TABLE "public"."readings";
-- alter column public.events.source (nullability)
ALTER TABLE "public"."events" ALTER COLUMN "source" DROP NOT NULL;
-- drop column public.events.source [destructive]
ALTER TABLE "public"."events" DROP COLUMN "source";
