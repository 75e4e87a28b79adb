-- Tenants on the SLO side: every SLO definition, series checkpoint, gate override and budget adjustment belongs to
-- one. Rows written before tenants existed belong to the default tenant. An SLO name is unique within its tenant.
ALTER TABLE slo_definition ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE slo_definition DROP CONSTRAINT slo_definition_pkey;
ALTER TABLE slo_definition ADD PRIMARY KEY (tenant, name);

ALTER TABLE slo_state ADD COLUMN tenant text NOT NULL DEFAULT 'default';
ALTER TABLE slo_state DROP CONSTRAINT slo_state_pkey;
ALTER TABLE slo_state ADD PRIMARY KEY (tenant, slo, series_key);

ALTER TABLE gate_override ADD COLUMN tenant text NOT NULL DEFAULT 'default';
DROP INDEX gate_override_active;
CREATE INDEX gate_override_active ON gate_override (tenant, service, expires_at) WHERE removed_at IS NULL;

ALTER TABLE budget_adjustment ADD COLUMN tenant text NOT NULL DEFAULT 'default';
DROP INDEX budget_adjustment_active;
CREATE INDEX budget_adjustment_active ON budget_adjustment (tenant, slo, from_at) WHERE deleted_at IS NULL;
