-- What each SLO's report says for one UTC calendar month (GET /api/v1/reports), written every
-- Slos:MonthSummaryInterval for the month so far and, for a day after it ends, for the month before. A report of a
-- month the in-memory series no longer reach (they hold the SLO window plus Slos:HistoryRetention) is read from here,
-- and so is a report of an SLO deleted since. `complete` is false when the series did not reach back to the month's
-- start when the row was written; `data_from` is the earliest instant they did reach.
CREATE TABLE slo_month_summary (
    tenant            text             NOT NULL DEFAULT 'default',
    slo               text             NOT NULL,
    month             date             NOT NULL,
    service           text             NOT NULL,
    team              text,
    objective         double precision NOT NULL,
    unit              text             NOT NULL,
    total_events      bigint           NOT NULL,
    bad_events        bigint           NOT NULL,
    adjustments       integer          NOT NULL,
    adjusted_seconds  double precision NOT NULL,
    data_from         timestamptz      NOT NULL,
    to_at             timestamptz      NOT NULL,
    complete          boolean          NOT NULL,
    updated_at        timestamptz      NOT NULL,
    PRIMARY KEY (tenant, month, slo)
);
