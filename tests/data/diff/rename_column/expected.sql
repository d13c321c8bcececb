-- upgrade
-- rename column public.users.login to username
ALTER TABLE "public"."users" RENAME COLUMN "login" TO "username";
-- rename index ix_users_login to ix_users_username on public.users
ALTER INDEX "public"."ix_users_login" RENAME TO "ix_users_username";

-- downgrade
-- rename index ix_users_username to ix_users_login on public.users
ALTER INDEX "public"."ix_users_username" RENAME TO "ix_users_login";
-- rename column public.users.username to login
ALTER TABLE "public"."users" RENAME COLUMN "username" TO "login";
