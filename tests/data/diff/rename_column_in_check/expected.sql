-- upgrade
-- drop check constraint ck_order_items_qty on public.order_items
ALTER TABLE "public"."order_items" DROP CONSTRAINT "ck_order_items_qty";
-- drop index ix_order_items_id on public.order_items
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_order_items_id";
-- rename column public.order_items.qty to quantity
ALTER TABLE "public"."order_items" RENAME COLUMN "qty" TO "quantity";
-- add check constraint ck_order_items_quantity on public.order_items
ALTER TABLE "public"."order_items" ADD CONSTRAINT "ck_order_items_quantity" CHECK ((quantity > 0)) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."order_items" VALIDATE CONSTRAINT "ck_order_items_quantity";
-- create index ix_order_items_id on public.order_items
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_order_items_id" ON "public"."order_items" USING "btree" ("id") WHERE (quantity > 10);

-- downgrade
-- drop index ix_order_items_id on public.order_items
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_order_items_id";
-- drop check constraint ck_order_items_quantity on public.order_items
ALTER TABLE "public"."order_items" DROP CONSTRAINT "ck_order_items_quantity";
-- rename column public.order_items.quantity to qty
ALTER TABLE "public"."order_items" RENAME COLUMN "quantity" TO "qty";
-- create index ix_order_items_id on public.order_items
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_order_items_id" ON "public"."order_items" USING "btree" ("id") WHERE (qty > 10);
-- add check constraint ck_order_items_qty on public.order_items
ALTER TABLE "public"."order_items" ADD CONSTRAINT "ck_order_items_qty" CHECK ((qty > 0)) NOT VALID;
-- (in a transaction of its own)
ALTER TABLE "public"."order_items" VALIDATE CONSTRAINT "ck_order_items_qty";
