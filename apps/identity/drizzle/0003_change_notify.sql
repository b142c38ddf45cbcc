-- Cross-replica cache invalidation. Each replica of the identity core caches what its hottest
-- endpoints read (sessions for whoami, OAuth2 clients, active access tokens for introspection) and
-- LISTENs on olympus_changes. These statement-level triggers NOTIFY the table's name on every change
-- that can alter a cached answer; PostgreSQL delivers a notification only when its transaction
-- commits, so no replica can re-read the old row after it has been told of the change.
-- New sessions and new grants (INSERTs) cannot alter a cached answer and are not announced.
CREATE OR REPLACE FUNCTION olympus_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('olympus_changes', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER identities_notify_change AFTER INSERT OR UPDATE OR DELETE ON "identities" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identities_notify_truncate AFTER TRUNCATE ON "identities" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_credentials_notify_change AFTER INSERT OR UPDATE OR DELETE ON "identity_credentials" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_credentials_notify_truncate AFTER TRUNCATE ON "identity_credentials" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_credential_identifiers_notify_change AFTER INSERT OR UPDATE OR DELETE ON "identity_credential_identifiers" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_credential_identifiers_notify_truncate AFTER TRUNCATE ON "identity_credential_identifiers" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_verifiable_addresses_notify_change AFTER INSERT OR UPDATE OR DELETE ON "identity_verifiable_addresses" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_verifiable_addresses_notify_truncate AFTER TRUNCATE ON "identity_verifiable_addresses" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_recovery_addresses_notify_change AFTER INSERT OR UPDATE OR DELETE ON "identity_recovery_addresses" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER identity_recovery_addresses_notify_truncate AFTER TRUNCATE ON "identity_recovery_addresses" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER oauth2_clients_notify_change AFTER INSERT OR UPDATE OR DELETE ON "oauth2_clients" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER oauth2_clients_notify_truncate AFTER TRUNCATE ON "oauth2_clients" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER sessions_notify_change AFTER UPDATE OR DELETE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER sessions_notify_truncate AFTER TRUNCATE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER oauth2_grants_notify_change AFTER UPDATE OR DELETE ON "oauth2_grants" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
--> statement-breakpoint
CREATE TRIGGER oauth2_grants_notify_truncate AFTER TRUNCATE ON "oauth2_grants" FOR EACH STATEMENT EXECUTE FUNCTION olympus_notify_change();
