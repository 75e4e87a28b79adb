-- When an owner last applied a batch of each instance (Cluster:OwnerInstanceRetention): an instance id is new at
-- every start of a process, so without it an owner would keep one entry per process start of every instance for
-- ever. An entry older than the retention is dropped when the owner next writes its state.

ALTER TABLE cluster_owner_applied ADD COLUMN applied_at timestamptz NOT NULL DEFAULT now();
