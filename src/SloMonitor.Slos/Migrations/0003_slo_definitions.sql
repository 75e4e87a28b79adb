-- SLO definitions managed through the API (PUT/DELETE /api/v1/slos/{name}); files are read from disk instead.
-- `definition` is the validated JSON body as sent (jsonb: key order and spacing are not kept).
CREATE TABLE slo_definition (
    name       text PRIMARY KEY,
    definition jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);
