-- upgrade
-- replace view public.active_users
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE OR REPLACE VIEW "public"."active_users" ("id", "email") AS SELECT id, email FROM users WHERE deleted_at IS NULL;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- replace view public.user_ids
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE OR REPLACE VIEW "public"."user_ids" ("id") AS SELECT id FROM users WHERE id > 0;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);

-- downgrade
-- replace view public.user_ids
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE OR REPLACE VIEW "public"."user_ids" ("id") AS SELECT id FROM users;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
-- drop view public.active_users
DROP VIEW "public"."active_users";
-- create view public.active_users
SELECT pg_catalog.set_config('retort.search_path', pg_catalog.current_setting('search_path'), true);
SET LOCAL search_path TO "public";
CREATE VIEW "public"."active_users" ("id") AS SELECT id FROM users WHERE deleted_at IS NULL;
SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('retort.search_path'), true);
