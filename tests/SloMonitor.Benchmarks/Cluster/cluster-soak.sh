#!/usr/bin/env bash
# Ingest of N instances of the service in one Cluster:Mode, each driven at its maximum by its own soak driver
# (1,000 SLOs, OTLP/HTTP protobuf batches of 512 spans, 40 s), on one private PostgreSQL. Prints each instance's
# spans/s and CPU and its cluster figures from /metrics (delta batches and bytes, flush time, owner state writes and
# reads, evaluation rounds). Build first (dotnet build -c Release, the service and tests/SloMonitor.Benchmarks).
# usage: tests/SloMonitor.Benchmarks/Cluster/cluster-soak.sh MODE N [--Setting=value ...]
#   MODE none or localhost (N=1), or postgres (N instances in one cluster); settings go to every instance, e.g.
#   cluster-soak.sh postgres 2 --Cluster:OwnerCheckpointInterval=0
set -u
cd "$(dirname "$0")/../../.."
mode=$1; n=$2; shift 2
seconds=${CLUSTER_SOAK_SECONDS:-40}
data=$(mktemp -d)
conn=$(deploy/local-postgres.sh start "$data/postgres" slomonitor | tail -1)
pids=()
for i in $(seq 1 "$n"); do
  mkdir -p "$data/$i"
  ConnectionStrings__Postgres="$conn" Auth__Mode=disabled Auth__RateLimits__Enabled=false Telemetry__Dogfood=true \
    Slos__Files__0="deploy/examples/slos/*.yaml" Slos__LocalCheckpointFile="$data/$i/journal" Auth__TokenCacheFile="$data/$i/tokens.json" \
    src/SloMonitor/bin/Release/net10.0/SloMonitor --SloMonitor:ListenAddress=127.0.0.1 \
    --SloMonitor:HttpPort=$((18080 + i)) --SloMonitor:OtlpGrpcPort=$((18180 + i)) --SloMonitor:OtlpHttpPort=$((18280 + i)) \
    --Cluster:Mode="$mode" --Cluster:ClusterId=soak --Cluster:AdvertisedAddress=127.0.0.1 \
    --Cluster:SiloPort=$((18380 + i)) --Cluster:GatewayPort=$((18480 + i)) "$@" > "$data/$i/log" 2>&1 &
  pids+=($!)
done
for i in $(seq 1 "$n"); do
  for _ in $(seq 1 180); do curl -sf http://127.0.0.1:$((18080 + i))/readyz > /dev/null && break; sleep 1; done
done
echo "$mode, $n instance(s), $* (load average $(cut -d ' ' -f 1 /proc/loadavg) before)"
drivers=()
for i in $(seq 1 "$n"); do
  dotnet tests/SloMonitor.Benchmarks/bin/Release/net10.0/SloMonitor.Benchmarks.dll soak \
    http://127.0.0.1:$((18080 + i)) http://127.0.0.1:$((18280 + i)) "$seconds" 0 > "$data/$i/soak" 2>&1 &
  drivers+=($!)
done
wait "${drivers[@]}"
for i in $(seq 1 "$n"); do
  echo "-- instance $i"
  grep -E "spans in|^CPU|^    [0-9]+ s" "$data/$i/soak"
  curl -s http://127.0.0.1:$((18080 + i))/metrics | grep -E '^slomon_cluster_|^slomon_evaluation_duration_seconds_(sum|count)' | grep -v _bucket
done
kill -TERM "${pids[@]}"
wait "${pids[@]}"
deploy/local-postgres.sh stop "$data/postgres" > /dev/null
rm -rf "$data"
