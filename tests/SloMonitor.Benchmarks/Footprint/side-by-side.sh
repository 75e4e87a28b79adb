#!/usr/bin/env bash
# SloMonitor beside Prometheus with Sloth-style rules, in one run on the same workload: 200 services with request
# counters (SideBySide/CounterWorkload.cs), 30 days of history, one 99.9 % availability SLO each. Prometheus gets the
# history through `promtool tsdb create-blocks-from openmetrics` and scrapes the live counters; SloMonitor gets the
# same counters as OTLP/HTTP cumulative sums (the history pushed first, then live). After a warm-up both run side by
# side in steady state and the script reports each one's CPU seconds and resident memory (peak and at the end), per
# SLO, and the 30-day error ratio each computed for one SLO (they should agree).
# Build first (dotnet build -c Release). Needs Debian's prometheus package (prometheus and promtool) and jq.
# usage: tests/SloMonitor.Benchmarks/Footprint/side-by-side.sh [STEADY_SECONDS] [WARMUP_SECONDS]   (defaults 600 and 180)
# SIDE_BY_SIDE_SLOS=N runs N SLOs instead of 200; SIDE_BY_SIDE_INTERVAL=S scrapes, evaluates and pushes every S
# seconds (default 30); ENV=VALUE pairs in SLOMONITOR_ENV are passed to SloMonitor.
set -eu
cd "$(dirname "$0")/../../.."
steady=${1:-600}
warmup=${2:-180}
slos=${SIDE_BY_SIDE_SLOS:-200}
interval=${SIDE_BY_SIDE_INTERVAL:-30}
for tool in prometheus promtool jq; do command -v $tool >/dev/null || { echo "needs $tool (Debian: apt-get install prometheus jq)" >&2; exit 2; }; done
bench="dotnet tests/SloMonitor.Benchmarks/bin/Release/net10.0/SloMonitor.Benchmarks.dll side-by-side"
dir=$(mktemp -d)
port=$((20000 + RANDOM % 10000))
promport=$((port + 3)); exporter=$((port + 4))
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${pgport:-}" ] && psql -h 127.0.0.1 -p "$pgport" -U slomonitor -d postgres -qc "DROP DATABASE $db" >/dev/null 2>&1 || true
  deploy/local-postgres.sh stop .data/postgres-side-by-side >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

now=$(date +%s)
origin=$((now - 30 * 86400 + 900))   # 30 days less 15 minutes: the backfill must stay within SloMonitor's event age
echo "writing $slos SLOs' files and 30 days of history (one point a minute)"
$bench files "$dir" "$slos" "$origin" "$now" "$exporter" "$interval"
promtool check rules "$dir/rules.yml" >"$dir/check.log" 2>&1 || { cat "$dir/check.log"; exit 1; }
echo "backfilling Prometheus ($(du -h "$dir/history.om" | cut -f1) of OpenMetrics)"
promtool tsdb create-blocks-from openmetrics --max-block-duration=744h "$dir/history.om" "$dir/prometheus" >"$dir/promtool.log" 2>&1 || { tail "$dir/promtool.log"; exit 1; }
rm "$dir/history.om"

admin=$(deploy/local-postgres.sh start .data/postgres-side-by-side 2>/dev/null | tail -1)
db=sbs_$RANDOM
pgport=$(echo "$admin" | sed "s/.*Port=\([0-9]*\).*/\1/")
psql -h 127.0.0.1 -p "$pgport" -U slomonitor -d postgres -qc "CREATE DATABASE $db" >/dev/null
conn=$(echo "$admin" | sed "s/Database=[^;]*/Database=$db/")
env ${SLOMONITOR_ENV:-} ConnectionStrings__Postgres="$conn" Slos__Files__0="$dir/slos.yaml" Auth__Mode=disabled \
  SloMonitor__ListenAddress=127.0.0.1 SloMonitor__HttpPort=$port SloMonitor__OtlpGrpcPort=$((port + 1)) \
  SloMonitor__OtlpHttpPort=$((port + 2)) Slos__LocalCheckpointFile="$dir/journal" Auth__TokenCacheFile="$dir/tokens.json" \
  dotnet src/SloMonitor/bin/Release/net10.0/SloMonitor.dll >"$dir/slomonitor.log" 2>&1 &
slomonitor=$!; pids+=($slomonitor)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$port/api/v1/slos/$(printf 'svc-%d-requests-availability' $((slos - 1)))" >/dev/null && break; sleep 1; done
echo "backfilling SloMonitor"
$bench backfill "http://127.0.0.1:$((port + 2))/" "$slos" "$origin" "$now"

prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus" --storage.tsdb.retention.time=40d \
  --web.listen-address=127.0.0.1:$promport >"$dir/prometheus.log" 2>&1 &
prom=$!; pids+=($prom)
$bench live "http://127.0.0.1:$((port + 2))/" "$slos" "$origin" "$exporter" "$interval" $((warmup + steady + 60)) >"$dir/live.log" 2>&1 &
pids+=($!)

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }          # user + system, in clock ticks
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }       # KiB
pgpid=$(head -1 .data/postgres-side-by-side/data/postmaster.pid 2>/dev/null || true)
pgcpu() { [ -n "$pgpid" ] || { echo 0; return; }; local t; t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pgpid/stat"); for c in $(pgrep -P "$pgpid"); do t=$((t + $(cpu "$c" 2>/dev/null || echo 0))); done; echo "$t"; }

echo "warming up for $warmup s, then $steady s of steady state (every $interval s: scrape, rules, OTLP push)"
sleep "$warmup"
s0=$(cpu $slomonitor); p0=$(cpu $prom); g0=$(pgcpu); load0=$(cut -d' ' -f1 /proc/loadavg)
speak=0; ppeak=0
end=$((SECONDS + steady))
while [ $SECONDS -lt $end ]; do
  r=$(rss $slomonitor); [ "$r" -gt "$speak" ] && speak=$r
  r=$(rss $prom); [ "$r" -gt "$ppeak" ] && ppeak=$r
  sleep 5
done
s1=$(cpu $slomonitor); p1=$(cpu $prom); g1=$(pgcpu); load1=$(cut -d' ' -f1 /proc/loadavg)
send=$(rss $slomonitor); pend=$(rss $prom)
hz=$(getconf CLK_TCK)

probe=$((slos / 2 + 7 < slos ? slos / 2 + 7 : 0))
name=$(printf 'svc-%d-requests-availability' $probe)
ours=$(curl -s "http://127.0.0.1:$port/api/v1/slos/$name" | jq -r 'first(.. | objects | select(has("30d")) | ."30d") | "\(.errorRate) of \(.total) events"')
query() { curl -s "http://127.0.0.1:$promport/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'; }
theirs=$(query "slo:sli_error:ratio_rate30d{sloth_id=\"$name\"}")
own=$(curl -s "http://127.0.0.1:$promport/metrics")
promrules=$(echo "$own" | awk '/^prometheus_rule_group_last_duration_seconds/ {t += $2} END {printf "%.2f", t}')
missed=$(echo "$own" | awk '/^prometheus_rule_group_iterations_missed_total/ {t += $2} END {print t + 0}')

python3 - "$slos" "$steady" "$hz" "$((s1 - s0))" "$((p1 - p0))" "$((g1 - g0))" "$speak" "$send" "$ppeak" "$pend" <<'PY'
import sys
slos, steady, hz, s, p, g, speak, send, ppeak, pend = map(int, sys.argv[1:])
hours = steady / 3600
def row(name, ticks, peak, end):
    cpu = ticks / hz
    peak_mib = f"{peak / 1024:.1f} MiB" if peak else "—"
    end_mib = f"{end / 1024:.1f} MiB" if end else "—"
    per_slo = f"{peak / slos:.0f} KiB" if peak else "—"
    print(f"| {name} | {cpu:.1f} s | {cpu / slos / hours:.3f} | {peak_mib} | {end_mib} | {per_slo} |")
print(f"{slos} SLOs, {steady} s of steady state")
print("| Process | CPU in steady state | CPU s per SLO per hour | Peak RSS | RSS at the end | Peak RSS per SLO |")
print("|---|---:|---:|---:|---:|---:|")
row("SloMonitor", s, speak, send)
row("its PostgreSQL (every process of the cluster)", g, 0, 0)
row("Prometheus 2.42, Sloth-style rules", p, ppeak, pend)
if s and speak:
    print(f"SloMonitor/Prometheus: CPU {s / max(p, 1):.3f} (1/{p / s:.1f}), peak RSS {speak / ppeak:.3f} (1/{ppeak / speak:.2f})")
PY
echo "load average $load0 at the start, $load1 at the end; Prometheus's rule groups took ${promrules} s a round, ${missed} rounds missed"
echo "30-day error ratio of $name: SloMonitor $ours, Prometheus $theirs"
