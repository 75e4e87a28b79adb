-- The alerts of each incident: the alert that opened it ('primary', the incident's own fingerprint) and the alerts
-- that joined it because an alert of the incident inhibits them ('joined'). A membership ends (left_at) when its
-- alert resolves, when the incident is resolved or merged into another, or when the inhibiting alert resolved first.
-- An alert belongs to at most one open incident, in either role: the partial unique index below says so for every
-- membership, as incident_one_open_per_fingerprint says it for the opening alert.
CREATE TABLE incident_alert (
    id              bigserial PRIMARY KEY,
    incident_id     bigint NOT NULL REFERENCES incident (id),
    fingerprint     text NOT NULL,
    role            text NOT NULL CHECK (role IN ('primary', 'joined')),
    alert_starts_at timestamptz NOT NULL,
    joined_at       timestamptz NOT NULL,
    left_at         timestamptz,
    left_reason     text CHECK (left_reason IN ('resolved', 'user', 'merged', 'inhibitor_resolved')),
    CHECK ((left_at IS NULL) = (left_reason IS NULL))
);
CREATE UNIQUE INDEX incident_alert_one_open_per_fingerprint ON incident_alert (fingerprint) WHERE left_at IS NULL;
CREATE INDEX incident_alert_by_incident ON incident_alert (incident_id, id);
CREATE INDEX incident_alert_by_fingerprint ON incident_alert (fingerprint, incident_id DESC);

-- Every incident so far had its opening alert only.
INSERT INTO incident_alert (incident_id, fingerprint, role, alert_starts_at, joined_at, left_at, left_reason)
SELECT id, fingerprint, 'primary', alert_starts_at, opened_at,
       CASE WHEN state = 'resolved' THEN COALESCE(resolved_at, opened_at) END,
       CASE WHEN state <> 'resolved' THEN NULL WHEN resolved_by = 'source' THEN 'resolved' ELSE 'user' END
  FROM incident;

-- Timeline entries for alerts joining and leaving an incident.
ALTER TABLE incident_event DROP CONSTRAINT incident_event_kind_check;
ALTER TABLE incident_event ADD CONSTRAINT incident_event_kind_check
    CHECK (kind IN ('created', 'routed', 'notified', 'notify_failed', 'silenced', 'inhibited', 'acked', 'unacked',
                    'resolved', 'comment', 'joined', 'left'));
