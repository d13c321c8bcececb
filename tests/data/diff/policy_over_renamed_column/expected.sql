-- upgrade
-- drop policy notes_all on public.notes
DROP POLICY "notes_all" ON "public"."notes";
-- drop policy notes_owner on public.notes
DROP POLICY "notes_owner" ON "public"."notes";
-- rename column public.notes.owner to author
ALTER TABLE "public"."notes" RENAME COLUMN "owner" TO "author";
-- create policy notes_all on public.notes
CREATE POLICY "notes_all" ON "public"."notes" FOR ALL TO PUBLIC USING ((id > 1));
-- create policy notes_owner on public.notes
CREATE POLICY "notes_owner" ON "public"."notes" FOR ALL TO PUBLIC USING ((author = CURRENT_USER));

-- downgrade
-- drop policy notes_owner on public.notes
DROP POLICY "notes_owner" ON "public"."notes";
-- drop policy notes_all on public.notes
DROP POLICY "notes_all" ON "public"."notes";
-- rename column public.notes.author to owner
ALTER TABLE "public"."notes" RENAME COLUMN "author" TO "owner";
-- create policy notes_owner on public.notes
CREATE POLICY "notes_owner" ON "public"."notes" FOR ALL TO PUBLIC USING ((owner = CURRENT_USER));
-- create policy notes_all on public.notes
CREATE POLICY "notes_all" ON "public"."notes" FOR ALL TO PUBLIC USING ((id > 0));
