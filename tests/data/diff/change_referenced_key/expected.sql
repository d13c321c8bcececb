-- upgrade
-- rename constraint pk_users to users_pkey on public.users
ALTER TABLE "public"."users" RENAME CONSTRAINT "pk_users" TO "users_pkey";
-- drop foreign key fk_posts_user_id_users on public.posts
ALTER TABLE "public"."posts" DROP CONSTRAINT "fk_posts_user_id_users";
-- add foreign key fk_posts_user_id_users on public.posts
ALTER TABLE "public"."posts" ADD CONSTRAINT "fk_posts_user_id_users" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") ON UPDATE CASCADE NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."posts" VALIDATE CONSTRAINT "fk_posts_user_id_users";

-- downgrade
-- drop foreign key fk_posts_user_id_users on public.posts
ALTER TABLE "public"."posts" DROP CONSTRAINT "fk_posts_user_id_users";
-- add foreign key fk_posts_user_id_users on public.posts
ALTER TABLE "public"."posts" ADD CONSTRAINT "fk_posts_user_id_users" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."posts" VALIDATE CONSTRAINT "fk_posts_user_id_users";
-- rename constraint users_pkey to pk_users on public.users
ALTER TABLE "public"."users" RENAME CONSTRAINT "users_pkey" TO "pk_users";
