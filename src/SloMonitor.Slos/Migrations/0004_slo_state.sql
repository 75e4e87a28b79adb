-- Checkpoints of the in-memory SLI series (rolling windows, counters, histograms), so that a restart keeps the
-- SLO windows it had. One row per series; `state` is the series' own compact binary snapshot.
CREATE TABLE slo_state (
    slo        text        NOT NULL,
    series_key text        NOT NULL,
    state      bytea       NOT NULL,
    saved_at   timestamptz NOT NULL,
    PRIMARY KEY (slo, series_key)
);
