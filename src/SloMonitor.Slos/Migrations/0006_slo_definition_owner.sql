-- Who manages an API SLO: the `owner` a bulk apply (POST /api/v1/slos/apply) stamps on the SLOs it writes, so that a
-- pruning apply deletes only the SLOs of its own owner. Null for SLOs written without one (PUT, or apply without owner).
ALTER TABLE slo_definition ADD COLUMN owner text;
CREATE INDEX slo_definition_owner ON slo_definition (owner) WHERE owner IS NOT NULL;
