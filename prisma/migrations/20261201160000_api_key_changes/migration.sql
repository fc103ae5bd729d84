-- Every change to an API key (revoked, expired, renamed, deleted; through the gateway, its CLI
-- or psql) is announced on the channel `api_keys_changed` when its transaction commits. Gateway
-- processes cache the keys they have checked and drop that cache on this notice, so that a
-- revoked key stops at once in every process.
CREATE FUNCTION api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_keys_changed', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION api_keys_changed();
