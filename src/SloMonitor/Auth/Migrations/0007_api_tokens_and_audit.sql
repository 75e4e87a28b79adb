-- API tokens: only the SHA-256 of each secret is kept. A revoked token keeps its row (revoked_at set) so that its
-- name stays on record; a name is unique among a tenant's tokens that are not revoked.
CREATE TABLE api_token (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant       text        NOT NULL DEFAULT 'default',
    name         text        NOT NULL,
    hash         bytea       NOT NULL UNIQUE,
    hint         text        NOT NULL,
    scopes       text[]      NOT NULL,
    created_at   timestamptz NOT NULL,
    created_by   text        NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_token_name ON api_token (tenant, name) WHERE revoked_at IS NULL;

-- Who last changed an API SLO: the name of the token that wrote it.
ALTER TABLE slo_definition ADD COLUMN updated_by text;

-- Who created, changed or deleted what, and who acknowledged or resolved what: one row per change, with the object
-- before and after it (null where there is none), newest read first.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    tenant      text        NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    object_kind text        NOT NULL,
    object_id   text        NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant, id DESC);
