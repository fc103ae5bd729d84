-- The outbox lease walks the changes waiting in id order (processed_at is null throughout, so this
-- index's order is theirs) and stops at the first orders it can take, instead of sorting every
-- order with a change waiting; the index on processed_at alone could not give that order.
-- DropIndex
DROP INDEX "sync_events_processed_at_idx";

-- CreateIndex
CREATE INDEX "sync_events_processed_at_id_idx" ON "sync_events"("processed_at", "id");
