#!/usr/bin/env bash
# End-to-end ingest throughput: h2load replays one export batch of 512 spans (service orders, 11 errors) against the
# built service on this machine, and the spans are counted by the service's own availability SLO. Build first
# (dotnet build SloMonitor.sln -c Release). h2load is in Debian's nghttp2-client package (apt-get install nghttp2-client).
# usage: tests/SloMonitor.Benchmarks/Ingest/grpc-replay.sh [grpc|http] [REQUESTS] [CONNECTIONS] [STREAMS] [ENV=VALUE ...]
#   grpc (default): POST .../TraceService/Export on the OTLP/gRPC port (h2c); http: POST /v1/traces on the OTLP/HTTP
#   port (HTTP/1.1, STREAMS requests pipelined per connection). Defaults: 20,000 requests, 2 connections, 8 streams.
#   ENV=VALUE pairs go to the service (DOTNET_gcServer=1, Ingest__MaxInFlightRequests=128, ...).
# A warm-up of REPLAY_WARMUP requests (5,000) comes first, so that the measured run does not include the JIT; it is
# not counted. REPLAY_PERF=SECONDS records a perf profile of the
# service (perf record -g) for that long from the start of the measured run into .data/replay.perf.data (pass
# DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 for the names of compiled code).
set -u
cd "$(dirname "$0")/../../.."
path=${1:-grpc}; requests=${2:-20000}; connections=${3:-2}; streams=${4:-8}
shift $(( $# < 4 ? $# : 4 ))
command -v h2load >/dev/null || { echo "h2load not found: apt-get install nghttp2-client" >&2; exit 1; }
dll=src/SloMonitor/bin/Release/net10.0/SloMonitor.dll
bench=tests/SloMonitor.Benchmarks/bin/Release/net10.0/SloMonitor.Benchmarks.dll
[ -f $dll ] && [ -f $bench ] || { echo "build first: dotnet build SloMonitor.sln -c Release" >&2; exit 1; }

admin=$(deploy/local-postgres.sh start .data/postgres-replay 2>/dev/null | tail -1)
db=replay_$RANDOM
pgport=$(echo "$admin" | sed "s/.*Port=\([0-9]*\).*/\1/")
psql -h 127.0.0.1 -p $pgport -U slomonitor -d postgres -qc "CREATE DATABASE $db" >/dev/null
conn=$(echo "$admin" | sed "s/Database=[^;]*/Database=$db/")
dir=$(mktemp -d)
dotnet $bench otlp-payload $dir/traces.grpc $dir/traces.pb $dir/slos.yaml >/dev/null
port=$((20000 + RANDOM % 10000))
env "$@" ConnectionStrings__Postgres="$conn" Slos__Files__0="$dir/slos.yaml" Auth__Mode=disabled SloMonitor__ListenAddress=127.0.0.1 \
  SloMonitor__HttpPort=$port SloMonitor__OtlpGrpcPort=$((port+1)) SloMonitor__OtlpHttpPort=$((port+2)) \
  Slos__LocalCheckpointFile=$dir/journal Auth__TokenCacheFile=$dir/tokens.json Slos__EvaluationInterval=00:00:01 \
  dotnet $dll > $dir/log 2>&1 &
pid=$!

cleanup() {
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  psql -h 127.0.0.1 -p $pgport -U slomonitor -d postgres -qc "DROP DATABASE $db" >/dev/null 2>&1
  rm -rf $dir
  deploy/local-postgres.sh stop .data/postgres-replay >/dev/null 2>&1
}
trap cleanup EXIT

# The SLO's own count: total events of its 30d window, from the status the evaluation loop publishes.
counted() {
  curl -s http://127.0.0.1:$port/api/v1/slos/orders-availability |
    python3 -c 'import json,sys; w=json.load(sys.stdin)["status"]["windows"]["30d"]; print(w["total"], w["good"])'
}
# Read until two readings a published round apart agree (a round can run late while the machine is saturated).
settled() {
  local last now
  last=$(counted)
  for _ in $(seq 20); do sleep 1.5; now=$(counted); [ "$now" = "$last" ] && break; last=$now; done
  echo "$now"
}
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
ticks=$(getconf CLK_TCK)

for _ in $(seq 60); do
  curl -sf http://127.0.0.1:$port/api/v1/slos/orders-availability >/dev/null && break
  sleep 1
done
curl -sf http://127.0.0.1:$port/readyz >/dev/null || { echo "service not ready" >&2; cat $dir/log >&2; exit 1; }

if [ "$path" = grpc ]; then
  target=(http://127.0.0.1:$((port+1))/opentelemetry.proto.collector.trace.v1.TraceService/Export -H 'content-type: application/grpc' -H 'te: trailers' -d $dir/traces.grpc)
else
  target=(http://127.0.0.1:$((port+2))/v1/traces --h1 -H 'content-type: application/x-protobuf' -d $dir/traces.pb)
fi

h2load -n ${REPLAY_WARMUP:-5000} -c $connections -m $streams "${target[@]}" > $dir/warmup.txt 2>&1
read -r before good0 <<< "$(settled)"
cpu0=$(cpu $pid)
if [ -n "${REPLAY_PERF:-}" ]; then
  perf record -g -o .data/replay.perf.data -p $pid -- sleep "$REPLAY_PERF" > /dev/null 2>&1 &
  perf=$!
fi
/usr/bin/time -f "%U %S" -o $dir/h2load.cpu h2load -n $requests -c $connections -m $streams "${target[@]}" > $dir/run.txt 2>&1
cpu1=$(cpu $pid)
[ -n "${perf:-}" ] && wait $perf
read -r after good <<< "$(settled)"

elapsed=$(sed -n 's/^finished in \([0-9.]*\)\(m\?s\),.*/\1 \2/p' $dir/run.txt | awk '{print $2 == "ms" ? $1 / 1000 : $1}')
statuses=$(grep '^status codes:' $dir/run.txt)
spans=$((after - before))
python3 - "$path" $requests $connections $streams "$elapsed" $spans $(( (cpu1 - cpu0) )) $ticks "$(cat $dir/h2load.cpu)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
path, n, c, m, elapsed, spans, server_ticks, hz, h2cpu, load = sys.argv[1:]
n, spans, elapsed = int(n), int(spans), float(elapsed)
server = int(server_ticks) / int(hz)
client = sum(float(x) for x in h2cpu.split())
expected = n * 512
print(f"path={path} connections={c} streams={m} requests={n} elapsed_s={elapsed:.3f} "
      f"spans_counted={spans} expected={expected}{'' if spans == expected else ' MISMATCH'} "
      f"spans_per_s={spans / elapsed:,.0f} server_cpu_s={server:.2f} ({server / elapsed:.2f} cores) "
      f"h2load_cpu_s={client:.2f} ({client / elapsed:.2f} cores) load_avg={load}")
PY
echo "  $statuses$([ "$path" = grpc ] && echo ' (gRPC errors come as grpc-status trailers with HTTP 200: the SLO count above is the check)')"
echo "  good=$((good - good0)) of $spans (expected $((requests * 501))); service's request outcomes, warm-up included:" \
  $(curl -s http://127.0.0.1:$port/metrics | grep '^slomon_ingest_requests_total' | sed 's/slomon_ingest_requests_total//' | tr '\n' ' ')
grep -E '^requests:' $dir/run.txt | sed 's/^/  /'
