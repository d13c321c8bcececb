-- upgrade
-- drop index ix_users_handle on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_handle";
-- create index ix_users_created_at on public.users
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_created_at" ON "public"."users" USING "btree" ("created_at" DESC NULLS LAST, "id") INCLUDE ("email") WITH ("fillfactor" = '70');
-- create index ix_users_email_handle on public.users
-- (outside a transaction)
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_email_handle" ON "public"."users" USING "btree" ("email", "handle") NULLS NOT DISTINCT;
-- create index ix_users_email_hash on public.users
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_email_hash" ON "public"."users" USING "hash" ("email");
-- create index ix_users_handle on public.users
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_handle" ON "public"."users" USING "btree" ("handle" "varchar_pattern_ops");
-- create index ix_users_lower_email on public.users
-- (outside a transaction)
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_lower_email" ON "public"."users" USING "btree" ((lower(email)));
-- create index ix_users_payload on public.users
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_payload" ON "public"."users" USING "gin" ("payload" "jsonb_path_ops");

-- downgrade
-- drop index ix_users_payload on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_payload";
-- drop index ix_users_lower_email on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_lower_email";
-- drop index ix_users_handle on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_handle";
-- drop index ix_users_email_hash on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_email_hash";
-- drop index ix_users_email_handle on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_email_handle";
-- drop index ix_users_created_at on public.users
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_users_created_at";
-- create index ix_users_handle on public.users
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_users_handle" ON "public"."users" USING "btree" ("handle");
