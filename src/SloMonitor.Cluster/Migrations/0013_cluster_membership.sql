-- Cluster membership for Cluster:Mode=postgres, read and written by Orleans' ADO.NET clustering provider
-- (Microsoft.Orleans.Clustering.AdoNet). The provider fixes two things only: it loads its SQL with
-- `SELECT QueryKey, QueryText FROM OrleansQuery` (unquoted, so PostgreSQL reads orleansquery, querykey, querytext),
-- and it runs each query under its key with named parameters (@DeploymentId is the cluster id, @Address, @Port and
-- @Generation name a silo, @Version is the table version it read) and reads the results by column name
-- ("Version", "Address", "Port", "Generation", "SiloName", "HostName", "Status", "ProxyPort", "SuspectTimes",
-- "StartTime", "IAmAliveTime"). The tables and the queries are ours. The tables stay empty unless a cluster runs.

CREATE TABLE orleansquery (
    querykey  text PRIMARY KEY,
    querytext text NOT NULL
);

-- One row per cluster id: the membership table's version, its etag. Every change of a member row goes with an
-- increment of it, conditional on the version the silo read (Orleans' membership protocol).
CREATE TABLE cluster_membership_version (
    cluster_id text PRIMARY KEY,
    version    integer NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per silo (address, port and generation: a restarted silo is a new generation). status is Orleans'
-- SiloStatus (3 active, 6 dead); suspect_times the votes of other silos, as Orleans formats them.
CREATE TABLE cluster_member (
    cluster_id    text NOT NULL REFERENCES cluster_membership_version (cluster_id) ON DELETE CASCADE,
    address       text NOT NULL,
    port          integer NOT NULL,
    generation    integer NOT NULL,
    silo_name     text NOT NULL,
    host_name     text NOT NULL,
    status        integer NOT NULL,
    proxy_port    integer NOT NULL,
    suspect_times text,
    started_at    timestamptz NOT NULL,
    i_am_alive_at timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Once per silo start: the cluster's version row, if there is none yet. Answers whether it made one.
('InsertMembershipVersionKey', $sql$
WITH made AS (
    INSERT INTO cluster_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM made)
$sql$),

-- A silo joins: its row is added, and the version moves on, only if the version is still the one it read and the
-- row is not there yet; otherwise nothing changes and the answer is false (Orleans reads again and retries).
('InsertMembershipKey', $sql$
WITH moved AS (
    UPDATE cluster_membership_version
       SET version = version + 1, changed_at = now()
     WHERE cluster_id = @DeploymentId AND version = @Version
       AND NOT EXISTS (SELECT 1 FROM cluster_member
                        WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id),
added AS (
    INSERT INTO cluster_member (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, started_at, i_am_alive_at)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime FROM moved
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM added)
$sql$),

-- A silo's status or suspicions change (it becomes active, is suspected, declared dead, shuts down): the same
-- condition on the version, and the row must exist.
('UpdateMembershipKey', $sql$
WITH moved AS (
    UPDATE cluster_membership_version
       SET version = version + 1, changed_at = now()
     WHERE cluster_id = @DeploymentId AND version = @Version
       AND EXISTS (SELECT 1 FROM cluster_member
                    WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id),
changed AS (
    UPDATE cluster_member m
       SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_at = @IAmAliveTime
      FROM moved
     WHERE m.cluster_id = moved.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM changed)
$sql$),

-- A silo's heartbeat: its own row only, the version stays.
('UpdateIAmAlivetimeKey', $sql$
UPDATE cluster_member
   SET i_am_alive_at = @IAmAliveTime
 WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$sql$),

-- One silo's row with the version; the version alone (the member's columns null) when the row is not there.
('MembershipReadRowKey', $sql$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.silo_name AS "SiloName",
       m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.started_at AS "StartTime", m.i_am_alive_at AS "IAmAliveTime"
  FROM cluster_membership_version v
  LEFT JOIN cluster_member m
         ON m.cluster_id = v.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.cluster_id = @DeploymentId
$sql$),

-- Every silo's row with the version; the version alone when the cluster has no member.
('MembershipReadAllKey', $sql$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation", m.silo_name AS "SiloName",
       m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.started_at AS "StartTime", m.i_am_alive_at AS "IAmAliveTime"
  FROM cluster_membership_version v
  LEFT JOIN cluster_member m ON m.cluster_id = v.cluster_id
 WHERE v.cluster_id = @DeploymentId
$sql$),

-- The gateways of the active silos (for Orleans clients; @Status is "active").
('GatewaysQueryKey', $sql$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM cluster_member
 WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$sql$),

-- The whole cluster's membership, version row and members.
('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM cluster_membership_version WHERE cluster_id = @DeploymentId
$sql$),

-- Rows of silos that are not active and were last alive before @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM cluster_member
 WHERE cluster_id = @DeploymentId AND i_am_alive_at < @IAmAliveTime AND status <> 3
$sql$);
