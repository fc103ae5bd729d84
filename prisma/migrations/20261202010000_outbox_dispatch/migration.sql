-- The outbox is its own queue: a worker takes an order with unprocessed events by leasing its
-- order_sync row (leased_by: the process), and a retry waits for run_at. Until now each event
-- also added a graphile-worker job per order, which tripled what a create cost Postgres.
ALTER TABLE "order_sync" ADD COLUMN "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "leased_by" TEXT,
ADD COLUMN "leased_at" TIMESTAMPTZ(3);

-- The sync jobs of the old way: their orders' events are still unprocessed, which is all the new
-- workers need to find them. (graphile-worker's schema exists only once it has been installed.)
DO $$
BEGIN
  IF to_regclass('graphile_worker._private_jobs') IS NOT NULL THEN
    DELETE FROM graphile_worker._private_jobs
     WHERE task_id IN (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'sync_order');
  END IF;
END
$$;
