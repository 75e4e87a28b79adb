-- Alerting: the latest state of every alert, incidents with their append-only timeline, silences, the
-- notification log (what each receiver was last told about each group) and the transactional outbox.

CREATE TABLE alert (
    fingerprint   text PRIMARY KEY,
    labels        jsonb NOT NULL,
    annotations   jsonb NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz,
    generator_url text,
    muted_by      text,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE incident (
    id                bigserial PRIMARY KEY,
    fingerprint       text NOT NULL,
    state             text NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
    severity          text NOT NULL,
    title             text NOT NULL,
    service           text,
    slo               text,
    runbook_url       text,
    dashboard_url     text,
    alert_labels      jsonb NOT NULL,
    alert_annotations jsonb NOT NULL,
    alert_starts_at   timestamptz NOT NULL,
    alert_ends_at     timestamptz,
    generator_url     text,
    opened_at         timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    ack_expires_at    timestamptz,
    resolved_at       timestamptz,
    resolved_by       text,
    version           integer NOT NULL DEFAULT 1
);

-- At most one open incident per alert fingerprint, enforced by the database.
CREATE UNIQUE INDEX incident_one_open_per_fingerprint ON incident (fingerprint) WHERE state <> 'resolved';
CREATE INDEX incident_by_fingerprint ON incident (fingerprint, id DESC);
CREATE INDEX incident_ack_expiry ON incident (ack_expires_at) WHERE state = 'acknowledged';

CREATE TABLE incident_event (
    id          bigserial PRIMARY KEY,
    incident_id bigint NOT NULL REFERENCES incident (id),
    at          timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('created', 'routed', 'notified', 'notify_failed', 'silenced',
                                              'inhibited', 'acked', 'unacked', 'resolved', 'comment')),
    actor       text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_event_by_incident ON incident_event (incident_id, id);

-- The timeline is append-only: rows are never changed or removed.
CREATE FUNCTION incident_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_event is append-only';
END
$$;
CREATE TRIGGER incident_event_append_only BEFORE UPDATE OR DELETE ON incident_event
    FOR EACH ROW EXECUTE FUNCTION incident_event_append_only();

CREATE TABLE silence (
    id         uuid PRIMARY KEY,
    matchers   jsonb NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL,
    created_by text NOT NULL,
    comment    text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX silence_by_end ON silence (ends_at);

CREATE TABLE notification_log (
    receiver    text NOT NULL,
    group_key   text NOT NULL,
    firing      text[] NOT NULL,
    resolved    text[] NOT NULL,
    notified_at timestamptz NOT NULL,
    sequence    bigint NOT NULL,
    PRIMARY KEY (receiver, group_key)
);

CREATE TABLE notification_outbox (
    id              bigserial PRIMARY KEY,
    dedup_key       text NOT NULL UNIQUE,
    receiver        text NOT NULL,
    group_key       text NOT NULL,
    payload         jsonb NOT NULL,
    incident_ids    bigint[] NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    deadline_at     timestamptz NOT NULL,
    delivered_at    timestamptz,
    last_error      text
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE state = 'pending';
