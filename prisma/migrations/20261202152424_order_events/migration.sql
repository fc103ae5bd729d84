-- Order events for partner apps (/System/Events, issue 13): the events themselves, recorded in the
-- statement of the change; the subscriptions; a delivery per event and matching subscription,
-- made by a trigger in the same statement; and the log of every attempt.
-- CreateTable
CREATE TABLE "order_events" (
    "id" BIGSERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "kind" TEXT NOT NULL,
    "status_id" INTEGER,
    "channel_id" INTEGER,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_event_sequences" (
    "order_id" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "order_event_sequences_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "event_subscriptions" (
    "id" SERIAL NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '[]',
    "condition" TEXT,
    "status_ids" INTEGER[],
    "channel_ids" INTEGER[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "paused_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" INTEGER NOT NULL,
    "event_id" BIGINT NOT NULL,
    "order_id" INTEGER NOT NULL,
    "previous_id" BIGINT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leased_by" TEXT,
    "leased_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "replay_of" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "event_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_delivery_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" TEXT,
    "error" TEXT,

    CONSTRAINT "event_delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "order_events_created_at_idx" ON "order_events"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_events_order_id_sequence_key" ON "order_events"("order_id", "sequence");

-- CreateIndex
CREATE INDEX "event_subscriptions_kind_idx" ON "event_subscriptions"("kind");

-- CreateIndex
CREATE INDEX "event_subscriptions_api_key_id_id_idx" ON "event_subscriptions"("api_key_id", "id");

-- CreateIndex
CREATE INDEX "event_deliveries_state_id_idx" ON "event_deliveries"("state", "id");

-- CreateIndex
CREATE INDEX "event_deliveries_subscription_id_order_id_id_idx" ON "event_deliveries"("subscription_id", "order_id", "id");

-- CreateIndex
CREATE INDEX "event_deliveries_subscription_id_id_idx" ON "event_deliveries"("subscription_id", "id");

-- CreateIndex
CREATE INDEX "event_deliveries_event_id_idx" ON "event_deliveries"("event_id");

-- CreateIndex
CREATE INDEX "event_delivery_attempts_delivery_id_id_idx" ON "event_delivery_attempts"("delivery_id", "id");

-- AddForeignKey
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_subscriptions" ADD CONSTRAINT "event_subscriptions_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "event_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "order_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_delivery_attempts" ADD CONSTRAINT "event_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "event_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An event's number within its order: 1, 2, 3... The counter row is taken with its row lock
-- (INSERT ... ON CONFLICT DO UPDATE), so writers of one order number their events in turn, and
-- the number always follows the one last committed, whatever snapshot the writing statement has.
CREATE FUNCTION order_events_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO order_event_sequences AS s (order_id, last) VALUES (NEW.order_id, 1)
    ON CONFLICT (order_id) DO UPDATE SET last = s.last + 1
    RETURNING s.last INTO NEW.sequence;
  RETURN NEW;
END
$$;

CREATE TRIGGER order_events_numbered BEFORE INSERT ON order_events
  FOR EACH ROW EXECUTE FUNCTION order_events_numbered();

-- A delivery for every subscription to the event's kind whose condition it meets, after the one
-- before it for the same order (previous_id: the workers send it once that one is no longer
-- pending). Disabled subscriptions get theirs too: they wait, and go out in order once the
-- subscription is enabled again, so a receiver that failed for a long time still hears of
-- everything. The order's events are numbered under its counter row's lock (above), which its
-- writer holds until it commits, so the line of its deliveries grows one writer at a time.
CREATE FUNCTION order_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_deliveries (subscription_id, event_id, order_id, previous_id)
  SELECT s.id, NEW.id, NEW.order_id,
         (SELECT max(p.id) FROM event_deliveries p WHERE p.subscription_id = s.id AND p.order_id = NEW.order_id)
    FROM event_subscriptions s
   WHERE s.kind = NEW.kind
     AND (coalesce(cardinality(s.status_ids), 0) = 0 OR NEW.status_id = ANY (s.status_ids))
     AND (coalesce(cardinality(s.channel_ids), 0) = 0 OR NEW.channel_id = ANY (s.channel_ids));
  RETURN NULL;
END
$$;

CREATE TRIGGER order_events_fan_out AFTER INSERT ON order_events
  FOR EACH ROW EXECUTE FUNCTION order_events_fan_out();
