-- Writes are single statements (see src/database/unit-of-work.ts). A statement cannot raise an
-- error by itself; this makes one fail, and so roll back whole, when a condition it depends on
-- does not hold (an Idempotency-Key no longer held by the request that writes with it).
CREATE FUNCTION gateway_require(holds boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF holds IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'GW001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
