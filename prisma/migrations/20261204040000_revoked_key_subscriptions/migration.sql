-- A revoked key never works again (only an expiry can be moved), so the subscriptions it made end
-- with it: they are disabled at once, with a reason an admin reading them sees, and no event
-- makes deliveries for them any more. Without this every later order event added a delivery that
-- no worker would ever take (the workers skip subscriptions of unusable keys), for good. Their
-- deliveries still waiting are removed by the hourly cleanup (EventDeliveriesRepository), which
-- leaves one being sent at that moment to its worker. An expired key's subscriptions only wait:
-- a new expiry (PATCH /System/ApiKeys/{id}) sends what waited.
CREATE FUNCTION api_keys_revoked_end_subscriptions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_subscriptions
     SET enabled = false, disabled_reason = 'its API key was revoked', paused_until = NULL, updated_at = now()
   WHERE api_key_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_revoked_end_subscriptions AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION api_keys_revoked_end_subscriptions();

-- The fan-out of 20261202152424_order_events, now without the subscriptions of revoked keys.
CREATE OR REPLACE FUNCTION order_events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_deliveries (subscription_id, event_id, order_id, previous_id)
  SELECT s.id, NEW.id, NEW.order_id,
         (SELECT max(p.id) FROM event_deliveries p WHERE p.subscription_id = s.id AND p.order_id = NEW.order_id)
    FROM event_subscriptions s
    JOIN api_keys k ON k.id = s.api_key_id AND k.revoked_at IS NULL
   WHERE s.kind = NEW.kind
     AND (coalesce(cardinality(s.status_ids), 0) = 0 OR NEW.status_id = ANY (s.status_ids))
     AND (coalesce(cardinality(s.channel_ids), 0) = 0 OR NEW.channel_id = ANY (s.channel_ids));
  RETURN NULL;
END
$$;

-- Subscriptions already of a revoked key when this migration runs.
UPDATE event_subscriptions s
   SET enabled = false, disabled_reason = 'its API key was revoked', paused_until = NULL, updated_at = now()
  FROM api_keys k
 WHERE k.id = s.api_key_id AND k.revoked_at IS NOT NULL;
