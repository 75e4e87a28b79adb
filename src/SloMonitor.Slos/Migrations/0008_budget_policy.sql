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

-- Budget adjustments (POST /api/v1/slos/{name}/adjustments): time ranges left out of an SLO's windows, burn rates and
-- budget, e.g. a declared maintenance. Deleted ones are kept (deleted_at, deleted_by) and no longer applied.
CREATE TABLE budget_adjustment (
    id         bigserial PRIMARY KEY,
    slo        text        NOT NULL,
    from_at    timestamptz NOT NULL,
    to_at      timestamptz NOT NULL CHECK (to_at > from_at),
    reason     text        NOT NULL,
    author     text        NOT NULL,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz,
    deleted_by text
);
CREATE INDEX budget_adjustment_active ON budget_adjustment (slo, from_at) WHERE deleted_at IS NULL;
