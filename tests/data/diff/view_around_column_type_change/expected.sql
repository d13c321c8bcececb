-- upgrade
-- drop materialized view public.user_email_count
DROP MATERIALIZED VIEW "public"."user_email_count";
-- drop view public.user_emails
DROP VIEW "public"."user_emails";
-- drop view public.user_ids
DROP VIEW "public"."user_ids";
-- alter column public.users.email (type)
ALTER TABLE "public"."users" ALTER COLUMN "email" TYPE text USING "email"::text;
-- create view public.user_emails
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."user_emails" ("email") AS SELECT email FROM users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- create view public.user_ids
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."user_ids" ("id") AS SELECT id FROM users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- create materialized view public.user_email_count
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE MATERIALIZED VIEW "public"."user_email_count" ("n") AS SELECT count(*) FROM user_emails WITH DATA;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);

-- downgrade
-- drop materialized view public.user_email_count
DROP MATERIALIZED VIEW "public"."user_email_count";
-- drop view public.user_ids
DROP VIEW "public"."user_ids";
-- drop view public.user_emails
DROP VIEW "public"."user_emails";
-- alter column public.users.email (type) [destructive]
ALTER TABLE "public"."users" ALTER COLUMN "email" TYPE varchar(100) USING "email"::varchar(100);
-- create view public.user_ids
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."user_ids" ("id") AS SELECT id FROM users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- create view public.user_emails
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."user_emails" ("email") AS SELECT email FROM users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- create materialized view public.user_email_count
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE MATERIALIZED VIEW "public"."user_email_count" ("n") AS SELECT count(*) FROM user_emails WITH DATA;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
