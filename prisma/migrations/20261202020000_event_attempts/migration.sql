-- A change is marked before it is first sent to the back office: until then it cannot be there,
-- so its first try need not look for it (a findOrder saved per new order). Changes already in the
-- outbox may have been sent by the old workers: they count as tried.
ALTER TABLE "sync_events" ADD COLUMN "attempted_at" TIMESTAMPTZ(3);
UPDATE "sync_events" SET "attempted_at" = "created_at" WHERE "processed_at" IS NULL;
