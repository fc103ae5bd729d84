-- DropIndex
DROP INDEX "orders_sync_status_idx";

-- AlterTable
ALTER TABLE "orders" DROP COLUMN "sync_status",
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'api',
ALTER COLUMN "email" DROP NOT NULL,
ALTER COLUMN "email_normalized" DROP NOT NULL;

-- CreateTable
CREATE TABLE "order_sync" (
    "order_id" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ok',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "back_office_order_id" TEXT,
    "external_id" TEXT NOT NULL,
    "synced_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_sync_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "sync_events" (
    "id" BIGSERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "sync_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_cursors" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_cursors_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "order_sync_back_office_order_id_key" ON "order_sync"("back_office_order_id");

-- CreateIndex
CREATE UNIQUE INDEX "order_sync_external_id_key" ON "order_sync"("external_id");

-- CreateIndex
CREATE INDEX "order_sync_status_idx" ON "order_sync"("status");

-- CreateIndex
CREATE INDEX "sync_events_order_id_processed_at_id_idx" ON "sync_events"("order_id", "processed_at", "id");

-- CreateIndex
CREATE INDEX "sync_events_processed_at_idx" ON "sync_events"("processed_at");

-- AddForeignKey
ALTER TABLE "order_sync" ADD CONSTRAINT "order_sync_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand: orders that existed before forwarding get their sync row and a create event,
-- which the sync worker's sweeper finds and forwards when it starts.
INSERT INTO "order_sync" ("order_id", "status", "external_id")
  SELECT "id", 'ok', 'og-' || "id" FROM "orders";
INSERT INTO "sync_events" ("order_id", "kind")
  SELECT "id", 'create' FROM "orders" ORDER BY "id";
