#!/usr/bin/env bash
# Resident memory of the service with 200 ratio SLOs: idle, then after 90 s of 2,000 spans/s from the traffic
# generator (OTLP/gRPC, the OpenTelemetry .NET SDK), then 30 s later. Build first (dotnet build -c Release).
# usage: tests/SloMonitor.Benchmarks/Footprint/footprint.sh LABEL [ENV=VALUE ...]   e.g. footprint.sh workstation DOTNET_gcServer=0
# FOOTPRINT_SLOS=2000 runs that many ratio SLOs instead of 200 (the slope of RSS per added SLO).
# FOOTPRINT_DLL=path/SloMonitor.dll measures another build of the service (a published one, for instance).
set -u
cd "$(dirname "$0")/../../.."
label=$1; shift
admin=$(deploy/local-postgres.sh start .data/postgres-footprint 2>/dev/null | tail -1)
db=fp_$RANDOM
pgport=$(echo "$admin" | sed "s/.*Port=\([0-9]*\).*/\1/"); psql -h 127.0.0.1 -p $pgport -U slomonitor -d postgres -qc "CREATE DATABASE $db" >/dev/null
conn=$(echo "$admin" | sed "s/Database=[^;]*/Database=$db/")
dir=$(mktemp -d)
python3 - "$dir/slos.yaml" "${FOOTPRINT_SLOS:-200}" <<'PY'
import sys
with open(sys.argv[1],'w') as f:
    f.write("slos:\n")
    for i in range(int(sys.argv[2])):
        f.write(f"  - {{name: ratio-{i}, service: checkout, objective: 99.9, window: 30d, sli: {{kind: availability}}}}\n")
PY
port=$((20000 + RANDOM % 10000))
env "$@" ConnectionStrings__Postgres="$conn" Slos__Files__0="$dir/slos.yaml" Auth__Mode=disabled SloMonitor__ListenAddress=127.0.0.1 \
  SloMonitor__HttpPort=$port SloMonitor__OtlpGrpcPort=$((port+1)) SloMonitor__OtlpHttpPort=$((port+2)) \
  Slos__LocalCheckpointFile=$dir/journal Auth__TokenCacheFile=$dir/tokens.json \
  dotnet "${FOOTPRINT_DLL:-src/SloMonitor/bin/Release/net10.0/SloMonitor.dll}" > $dir/log 2>&1 &
pid=$!
sleep 25
idle=$(grep VmRSS /proc/$pid/status | awk '{print $2}')
timeout 90 dotnet src/SloMonitor.TrafficGenerator/bin/Release/net10.0/SloMonitor.TrafficGenerator.dll --endpoint http://127.0.0.1:$((port+1)) --rate 2000 > $dir/gen.log 2>&1
r=$(grep VmRSS /proc/$pid/status | awk '{print $2}')
sleep 30
after=$(grep VmRSS /proc/$pid/status | awk '{print $2}')
heap=$(curl -s http://127.0.0.1:$port/metrics | grep -E "^dotnet_total_memory_bytes|^slomon_sli_memory_bytes" | tr '\n' ' ')
echo "$label idle_rss_kb=$idle under_load_end_rss_kb=$r after30s_rss_kb=$after $heap"
kill $pid; wait $pid 2>/dev/null
psql -h 127.0.0.1 -p $pgport -U slomonitor -d postgres -qc "DROP DATABASE $db" >/dev/null 2>&1
rm -rf $dir
deploy/local-postgres.sh stop .data/postgres-footprint >/dev/null 2>&1
