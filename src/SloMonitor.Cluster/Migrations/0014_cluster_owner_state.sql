-- The state of each SLO's owner grain (Cluster:Mode localhost or postgres), written by the owner every
-- Cluster:OwnerCheckpointInterval and when it deactivates, read when it activates (on any instance): what lets an
-- SLO's owner move to another instance when its own dies. One row per track of the SLO (the overall one and each
-- group), in the checkpoint format of slo_state; beside them, the last delta sequence the owner applied from each
-- instance, so a batch re-sent to the new owner never counts twice. Both are replaced together, in one transaction.

CREATE TABLE cluster_owner_state (
    tenant     text NOT NULL,
    slo        text NOT NULL,
    series_key text NOT NULL,
    state      bytea NOT NULL,
    saved_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, slo, series_key)
);

CREATE TABLE cluster_owner_applied (
    tenant      text NOT NULL,
    slo         text NOT NULL,
    instance_id text NOT NULL,
    sequence    bigint NOT NULL,
    PRIMARY KEY (tenant, slo, instance_id)
);
