-- upgrade
-- create schema reporting
CREATE SCHEMA "reporting";
-- create view public.active_users
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."active_users" ("id", "email") AS SELECT id, email FROM users WHERE deleted_at IS NULL;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- create materialized view reporting.user_count
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "reporting";
CREATE MATERIALIZED VIEW "reporting"."user_count" ("n") AS SELECT count(*) FROM public.users WITH DATA;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
CREATE UNIQUE INDEX "ix_user_count_n" ON "reporting"."user_count" USING "btree" ("n");
-- create view public.active_user_emails
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."active_user_emails" ("email") AS SELECT email FROM active_users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);

-- downgrade
-- drop view public.active_user_emails
DROP VIEW "public"."active_user_emails";
-- drop materialized view reporting.user_count
DROP MATERIALIZED VIEW "reporting"."user_count";
-- drop view public.active_users
DROP VIEW "public"."active_users";
-- drop schema reporting [destructive]
DROP SCHEMA "reporting";
