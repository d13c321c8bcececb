-- upgrade
-- drop policy notes_positive on public.notes
DROP POLICY "notes_positive" ON "public"."notes";
-- alter column public.notes.id (type)
ALTER TABLE "public"."notes" ALTER COLUMN "id" TYPE bigint USING "id"::bigint;
-- create policy notes_positive on public.notes
CREATE POLICY "notes_positive" ON "public"."notes" FOR ALL TO PUBLIC USING ((id > 0));

-- downgrade
-- drop policy notes_positive on public.notes
DROP POLICY "notes_positive" ON "public"."notes";
-- alter column public.notes.id (type) [destructive]
ALTER TABLE "public"."notes" ALTER COLUMN "id" TYPE integer USING "id"::integer;
-- create policy notes_positive on public.notes
CREATE POLICY "notes_positive" ON "public"."notes" FOR ALL TO PUBLIC USING ((id > 0));
