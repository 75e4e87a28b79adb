-- Overrides of a service's deploy gate (POST /api/v1/gates/{service}/overrides): a release allowed despite the
-- error-budget policies of the service's SLOs until expires_at, with who asked and why. Rows are kept after they
-- expire or are removed (removed_at, removed_by), as the record of who overrode the gate.
CREATE TABLE gate_override (
    id         bigserial PRIMARY KEY,
    service    text        NOT NULL,
    reason     text        NOT NULL,
    author     text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    removed_at timestamptz,
    removed_by text
);
CREATE INDEX gate_override_active ON gate_override (service, expires_at) WHERE removed_at IS NULL;
