-- The conventions of the Kwik payments Orders API (issue 12): metadata on orders and lines, orders
-- archived (deleted_at) rather than deleted, and the indexes behind its list filters: the external
-- id alone (order_reference), the total (amount_total), metadata[key]=value (jsonb containment)
-- and the note containing a text (description, trigrams).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterTable
ALTER TABLE "order_items" ADD COLUMN     "metadata" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "metadata" JSONB NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "orders_external_order_id_idx" ON "orders"("external_order_id");

-- CreateIndex
CREATE INDEX "orders_money_idx" ON "orders"("money");

-- CreateIndex
CREATE INDEX "orders_metadata_idx" ON "orders" USING GIN ("metadata" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "orders_note_idx" ON "orders" USING GIN ("note" gin_trgm_ops);
