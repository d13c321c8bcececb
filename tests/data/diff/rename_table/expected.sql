-- upgrade
-- create schema auth
CREATE SCHEMA "auth";
-- rename table public.users to auth.accounts
ALTER TABLE "public"."users" SET SCHEMA "auth";
ALTER TABLE "auth"."users" RENAME TO "accounts";
-- rename constraint pk_users to pk_accounts on auth.accounts
ALTER TABLE "auth"."accounts" RENAME CONSTRAINT "pk_users" TO "pk_accounts";
-- rename index ix_users_email to ix_accounts_email on auth.accounts
ALTER INDEX "auth"."ix_users_email" RENAME TO "ix_accounts_email";
-- rename index ix_users_login to ix_accounts_login on auth.accounts
ALTER INDEX "auth"."ix_users_login" RENAME TO "ix_accounts_login";
-- rename constraint fk_posts_user_id_users to fk_posts_user_id_accounts on public.posts
ALTER TABLE "public"."posts" RENAME CONSTRAINT "fk_posts_user_id_users" TO "fk_posts_user_id_accounts";

-- downgrade
-- rename constraint fk_posts_user_id_accounts to fk_posts_user_id_users on public.posts
ALTER TABLE "public"."posts" RENAME CONSTRAINT "fk_posts_user_id_accounts" TO "fk_posts_user_id_users";
-- rename index ix_accounts_login to ix_users_login on auth.accounts
ALTER INDEX "auth"."ix_accounts_login" RENAME TO "ix_users_login";
-- rename index ix_accounts_email to ix_users_email on auth.accounts
ALTER INDEX "auth"."ix_accounts_email" RENAME TO "ix_users_email";
-- rename constraint pk_accounts to pk_users on auth.accounts
ALTER TABLE "auth"."accounts" RENAME CONSTRAINT "pk_accounts" TO "pk_users";
-- rename table auth.accounts to public.users
ALTER TABLE "auth"."accounts" SET SCHEMA "public";
ALTER TABLE "public"."accounts" RENAME TO "users";
-- drop schema auth [destructive]
DROP SCHEMA "auth";
