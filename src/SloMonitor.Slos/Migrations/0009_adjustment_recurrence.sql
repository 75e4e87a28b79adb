-- Budget adjustments that recur (a weekly maintenance: the range repeated every recurrence_every_seconds while its
-- start is before recurrence_until), that take out only the groups matching a selector (a dependency's outage), and
-- the incident an adjustment was declared for.
ALTER TABLE budget_adjustment
    ADD COLUMN selector text,
    ADD COLUMN recurrence_every_seconds bigint CHECK (recurrence_every_seconds > 0),
    ADD COLUMN recurrence_until timestamptz,
    ADD COLUMN incident_id bigint,
    ADD CHECK ((recurrence_every_seconds IS NULL) = (recurrence_until IS NULL));
