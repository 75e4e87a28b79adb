#!/usr/bin/env bash
# Builds and runs SloMonitor in the foreground with the example SLO and alerting files from deploy/examples/.
#   ./run.sh            the service: API and UI on :8080, OTLP/gRPC on :4317, OTLP/HTTP on :4318
#   ./run.sh --demo     the same, plus a traffic generator pushing OTLP (a healthy and a degrading service)
# Without ConnectionStrings__Postgres in the environment it starts a private PostgreSQL under .data/postgres
# (created on the first run, reused afterwards) and stops it when the service stops. Other arguments go to the
# service as configuration, e.g. ./run.sh --SloMonitor:HttpPort=9090
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

demo=false
args=()
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    *) args+=("$arg") ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/SloMonitor/SloMonitor.csproj -c Release -nologo -v:q
if $demo; then
  dotnet build src/SloMonitor.TrafficGenerator/SloMonitor.TrafficGenerator.csproj -c Release -nologo -v:q
fi

pgdir="$root/.data/postgres"
started_postgres=false
generator=
cleanup() {
  [ -n "$generator" ] && kill "$generator" 2>/dev/null || true
  if $started_postgres; then
    echo "stopping the private PostgreSQL" >&2
    deploy/local-postgres.sh stop "$pgdir"
  fi
}
trap cleanup EXIT

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  echo "no ConnectionStrings__Postgres set: starting a private PostgreSQL in $pgdir" >&2
  ConnectionStrings__Postgres=$(deploy/local-postgres.sh start "$pgdir" slomonitor | tail -n 1)
  export ConnectionStrings__Postgres
  started_postgres=true
fi

export Slos__Files__0=${Slos__Files__0:-$root/deploy/examples/slos/*.yaml}
# The service's own traces go to its own OTLP port, for the SLOs on SloMonitor itself (deploy/examples/slos/slomonitor.yaml).
export Telemetry__Dogfood=${Telemetry__Dogfood:-true}
if [ -z "${Alerting__File:-}" ]; then
  if [ -n "${PAGERDUTY_ROUTING_KEY:-}" ] && [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
    Alerting__File=$root/deploy/examples/alerting.yaml
  else
    Alerting__File=$root/deploy/examples/alerting-local.yaml
  fi
fi
export Alerting__File

if $demo; then
  grpc_port=${SloMonitor__OtlpGrpcPort:-4317}
  src/SloMonitor.TrafficGenerator/bin/Release/net10.0/SloMonitor.TrafficGenerator --endpoint "http://127.0.0.1:$grpc_port" --webhook-port 9095 &
  generator=$!
fi

# The service runs as a child that this script waits for: a SIGTERM or SIGINT sent to the script is passed on, and
# the private PostgreSQL is stopped only once the service has finished its own shutdown (final checkpoint included).
src/SloMonitor/bin/Release/net10.0/SloMonitor "${args[@]}" &
service=$!
trap 'kill -TERM "$service" 2>/dev/null || true' TERM INT
status=0
while kill -0 "$service" 2>/dev/null; do
  wait "$service" && status=0 || status=$?
done
exit "$status"
