-- Alerting per tenant: every alert, incident, incident membership, silence, notification-log entry and outbox row
-- belongs to one tenant. Rows written before tenants existed belong to 'default'. Keys that were per fingerprint are
-- per tenant and fingerprint (an alert's fingerprint already differs between tenants; the default tenant's are
-- unchanged, so existing rows keep theirs). The column default only fills existing rows: writers name the tenant.
ALTER TABLE alert ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE alert ALTER COLUMN tenant DROP DEFAULT;
ALTER TABLE alert DROP CONSTRAINT alert_pkey;
ALTER TABLE alert ADD PRIMARY KEY (tenant, fingerprint);

ALTER TABLE incident ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE incident ALTER COLUMN tenant DROP DEFAULT;
DROP INDEX incident_one_open_per_fingerprint;
CREATE UNIQUE INDEX incident_one_open_per_fingerprint ON incident (tenant, fingerprint) WHERE state <> 'resolved';
DROP INDEX incident_by_fingerprint;
CREATE INDEX incident_by_fingerprint ON incident (tenant, fingerprint, id DESC);
CREATE INDEX incident_by_tenant ON incident (tenant, opened_at DESC, id DESC);

ALTER TABLE incident_alert ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE incident_alert ALTER COLUMN tenant DROP DEFAULT;
DROP INDEX incident_alert_one_open_per_fingerprint;
CREATE UNIQUE INDEX incident_alert_one_open_per_fingerprint ON incident_alert (tenant, fingerprint) WHERE left_at IS NULL;
DROP INDEX incident_alert_by_fingerprint;
CREATE INDEX incident_alert_by_fingerprint ON incident_alert (tenant, fingerprint, incident_id DESC);

ALTER TABLE silence ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE silence ALTER COLUMN tenant DROP DEFAULT;
CREATE INDEX silence_by_tenant ON silence (tenant, ends_at);

ALTER TABLE notification_log ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE notification_log ALTER COLUMN tenant DROP DEFAULT;
ALTER TABLE notification_log DROP CONSTRAINT notification_log_pkey;
ALTER TABLE notification_log ADD PRIMARY KEY (tenant, receiver, group_key);

ALTER TABLE notification_outbox ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE notification_outbox ALTER COLUMN tenant DROP DEFAULT;
