-- upgrade
-- rename constraint ck_invoices_681f4e1a to ck_invoices_paid_le_total on public.invoices
ALTER TABLE "public"."invoices" RENAME CONSTRAINT "ck_invoices_681f4e1a" TO "ck_invoices_paid_le_total";
-- add check constraint ck_invoices_paid_known on public.invoices
ALTER TABLE "public"."invoices" ADD CONSTRAINT "ck_invoices_paid_known" CHECK ((paid IS NOT NULL)) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."invoices" VALIDATE CONSTRAINT "ck_invoices_paid_known";
-- add check constraint ck_invoices_total_ge_0 on public.invoices
ALTER TABLE "public"."invoices" ADD CONSTRAINT "ck_invoices_total_ge_0" CHECK ((total >= 0)) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."invoices" VALIDATE CONSTRAINT "ck_invoices_total_ge_0";

-- downgrade
-- drop check constraint ck_invoices_total_ge_0 on public.invoices
ALTER TABLE "public"."invoices" DROP CONSTRAINT "ck_invoices_total_ge_0";
-- drop check constraint ck_invoices_paid_known on public.invoices
ALTER TABLE "public"."invoices" DROP CONSTRAINT "ck_invoices_paid_known";
-- rename constraint ck_invoices_paid_le_total to ck_invoices_681f4e1a on public.invoices
ALTER TABLE "public"."invoices" RENAME CONSTRAINT "ck_invoices_paid_le_total" TO "ck_invoices_681f4e1a";
