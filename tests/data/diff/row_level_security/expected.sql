-- upgrade
-- drop policy documents_public on public.documents
DROP POLICY "documents_public" ON "public"."documents";
-- drop policy drafts_owner on public.drafts
DROP POLICY "drafts_owner" ON "public"."drafts";
-- drop table public.drafts [destructive]
DROP TABLE "public"."drafts";
-- alter policy documents_owner on public.documents
ALTER POLICY "documents_owner" ON "public"."documents" TO "reader", "writer" USING ((owner = SESSION_USER));
-- create table public.notes
CREATE TABLE "public"."notes" (
  "id" bigint NOT NULL,
  "user_id" bigint NOT NULL
);
ALTER TABLE "public"."notes" ENABLE ROW LEVEL SECURITY;
-- force row-level security on public.documents
ALTER TABLE "public"."documents" FORCE ROW LEVEL SECURITY;
-- enable row-level security on public.orders
ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY;
-- create policy documents_public on public.documents
CREATE POLICY "documents_public" ON "public"."documents" AS RESTRICTIVE FOR SELECT TO PUBLIC USING (public);
-- create policy notes_owner on public.notes
CREATE POLICY "notes_owner" ON "public"."notes" FOR ALL TO PUBLIC USING ((user_id = (current_setting('app.user_id'::text, true))::bigint));
-- create policy orders_owner on public.orders
CREATE POLICY "orders_owner" ON "public"."orders" FOR ALL TO PUBLIC USING ((user_id = (current_setting('app.user_id'::text, true))::bigint));

-- downgrade
-- drop policy orders_owner on public.orders
DROP POLICY "orders_owner" ON "public"."orders";
-- drop policy notes_owner on public.notes
DROP POLICY "notes_owner" ON "public"."notes";
-- drop policy documents_public on public.documents
DROP POLICY "documents_public" ON "public"."documents";
-- disable row-level security on public.orders
ALTER TABLE "public"."orders" DISABLE ROW LEVEL SECURITY;
-- no force row-level security on public.documents
ALTER TABLE "public"."documents" NO FORCE ROW LEVEL SECURITY;
-- drop table public.notes [destructive]
DROP TABLE "public"."notes";
-- alter policy documents_owner on public.documents
ALTER POLICY "documents_owner" ON "public"."documents" TO PUBLIC USING ((owner = CURRENT_USER));
-- create table public.drafts
CREATE TABLE "public"."drafts" (
  "id" bigint NOT NULL,
  "owner" text NOT NULL
);
ALTER TABLE "public"."drafts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."drafts" FORCE ROW LEVEL SECURITY;
-- create policy drafts_owner on public.drafts
CREATE POLICY "drafts_owner" ON "public"."drafts" FOR ALL TO PUBLIC USING ((owner = CURRENT_USER));
-- create policy documents_public on public.documents
CREATE POLICY "documents_public" ON "public"."documents" FOR SELECT TO PUBLIC USING (public);
