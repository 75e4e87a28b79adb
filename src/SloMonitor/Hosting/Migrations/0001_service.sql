-- Bookkeeping of the service itself: one row per running instance, refreshed while it runs.
CREATE TABLE service_instance (
    instance_id text PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    seen_at     timestamptz NOT NULL
);
