-- upgrade
-- alter column public.products.name (collation)
ALTER TABLE "public"."products" ALTER COLUMN "name" TYPE text COLLATE "und-x-icu";
-- alter column public.products.sku (comment, collation)
ALTER TABLE "public"."products" ALTER COLUMN "sku" TYPE varchar(20) COLLATE "C";
COMMENT ON COLUMN "public"."products"."sku" IS 'stock keeping unit';
-- add column public.products.slug
ALTER TABLE "public"."products" ADD COLUMN "slug" text COLLATE "C";
-- add column public.products.search
ALTER TABLE "public"."products" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, name)) STORED;
-- create index ix_products_search on public.products
-- (outside a transaction)
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_products_search" ON "public"."products" USING "gin" ("search");

-- downgrade
-- drop index ix_products_search on public.products
-- (outside a transaction)
DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_products_search";
-- drop column public.products.search [destructive]
ALTER TABLE "public"."products" DROP COLUMN "search";
-- drop column public.products.slug [destructive]
ALTER TABLE "public"."products" DROP COLUMN "slug";
-- alter column public.products.sku (comment, collation)
ALTER TABLE "public"."products" ALTER COLUMN "sku" TYPE varchar(20) COLLATE "default";
COMMENT ON COLUMN "public"."products"."sku" IS NULL;
-- alter column public.products.name (collation)
ALTER TABLE "public"."products" ALTER COLUMN "name" TYPE text COLLATE "default";
