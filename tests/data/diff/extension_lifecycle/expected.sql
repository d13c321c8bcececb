-- upgrade
-- create schema ext
CREATE SCHEMA "ext";
-- alter extension citext
ALTER EXTENSION "citext" UPDATE TO '1.6';
-- create extension pg_trgm
CREATE EXTENSION "pg_trgm" SCHEMA "ext";
-- drop column public.users.attributes [destructive]
ALTER TABLE "public"."users" DROP COLUMN "attributes";
-- drop extension hstore
DROP EXTENSION "hstore";

-- downgrade
-- create extension hstore
CREATE EXTENSION "hstore" SCHEMA "public";
-- add column public.users.attributes
ALTER TABLE "public"."users" ADD COLUMN "attributes" "public".hstore;
-- drop extension pg_trgm
DROP EXTENSION "pg_trgm";
-- alter extension citext
ALTER EXTENSION "citext" UPDATE;
-- drop schema ext [destructive]
DROP SCHEMA "ext";
