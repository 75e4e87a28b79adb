#!/usr/bin/env bash
# Builds and runs SloMonitor in the foreground with the example SLO and alerting files from deploy/examples/.
#   ./run.sh            the service: API and UI on :8080, OTLP/gRPC on :4317, OTLP/HTTP on :4318
#   ./run.sh --demo     the same, plus a traffic generator pushing OTLP (a healthy and a degrading service)
#   ./run.sh --no-build runs what was built last
# Without ConnectionStrings__Postgres in the environment it starts a private PostgreSQL under .data/postgres
# (created on the first run, reused afterwards) and stops it when the service stops, unless it was already running
# before this run. One ./run.sh at a time per checkout: a second one exits at once, naming the first. Other
# arguments go to the service as configuration, e.g. ./run.sh --SloMonitor:HttpPort=9090. SLOMONITOR_DATA_DIR
# moves .data (the lock, the private PostgreSQL, the local checkpoint journal, the token cache) elsewhere. On a new
# install (no token in the database yet) it creates an admin token and prints it once, with a link that signs the
# UI in; `SloMonitor tokens create` makes more (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

demo=false
build=true
http_port=${SloMonitor__HttpPort:-8080}
args=()
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    --no-build) build=false ;;
    --SloMonitor:HttpPort=*) http_port=${arg#*=}; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

# The lock: file descriptor 9 on .data/run.lock, held by this script and the service it starts (never by PostgreSQL
# or build servers, whose descriptor 9 is closed), so it lasts exactly as long as this instance. Checked before
# anything is built or started.
data=${SLOMONITOR_DATA_DIR:-$root/.data}
mkdir -p "$data"
lock="$data/run.lock"
already_running() {
  echo "./run.sh is already running in this checkout ($(head -n 1 "$lock" 2>/dev/null)); stop it first (Ctrl-C in its terminal). This one exits without starting anything." >&2
  exit 1
}
if command -v flock >/dev/null 2>&1; then
  exec 9<>"$lock"
  flock -n 9 || already_running
elif [ -s "$lock" ] && kill -0 "$(cut -d ' ' -f 2 "$lock" | tr -d ,)" 2>/dev/null; then
  already_running
fi
echo "pid $$, API on http://localhost:$http_port, started $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$lock"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if $build; then
  dotnet build src/SloMonitor/SloMonitor.csproj -c Release -nologo -v:q 9>&-
  if $demo; then
    dotnet build src/SloMonitor.TrafficGenerator/SloMonitor.TrafficGenerator.csproj -c Release -nologo -v:q 9>&-
  fi
fi

pgdir="$data/postgres"
started_postgres=false
generator=
cleanup() {
  [ -n "$generator" ] && kill "$generator" 2>/dev/null || true
  if $started_postgres; then
    echo "stopping the private PostgreSQL" >&2
    deploy/local-postgres.sh stop "$pgdir" 9>&-
  fi
}
trap cleanup EXIT

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  if deploy/local-postgres.sh status "$pgdir" 9>&-; then
    echo "no ConnectionStrings__Postgres set: using the private PostgreSQL already running in $pgdir (left running afterwards)" >&2
  else
    echo "no ConnectionStrings__Postgres set: starting a private PostgreSQL in $pgdir" >&2
    started_postgres=true
  fi
  ConnectionStrings__Postgres=$(deploy/local-postgres.sh start "$pgdir" slomonitor 9>&- | tail -n 1)
  export ConnectionStrings__Postgres
fi

export Slos__Files__0=${Slos__Files__0:-$root/deploy/examples/slos/*.yaml}
# The notification spool (pages decided while PostgreSQL is away) goes beside it unless Alerting__Spool__File is set.
export Slos__LocalCheckpointFile=${Slos__LocalCheckpointFile:-$data/sli-checkpoint.journal}
export Auth__TokenCacheFile=${Auth__TokenCacheFile:-$data/token-cache.json}
slomonitor=src/SloMonitor/bin/Release/net10.0/SloMonitor
auth=true
[ "${Auth__Mode:-tokens}" = disabled ] && auth=false
for arg in "${args[@]+"${args[@]}"}"; do [ "$arg" = --Auth:Mode=disabled ] && auth=false; done

# A new install has no token yet: make the first admin token and show it this once, as a link that signs the UI in.
if $auth; then
  if created=$("$slomonitor" tokens create --name admin --scopes admin --if-none 9>&-); then
    token=$(printf '%s\n' "$created" | tail -n 1)
    case "$token" in
      slom_*)
        cat >&2 <<EOF

  A first admin token was created; it is shown this once, keep it:
      $token
  Open the UI signed in with it:
      http://localhost:$http_port/ui#token=$token
  Make tokens for exporters and people with: $slomonitor tokens create --name NAME --scopes ingest

EOF
        ;;
    esac
  else
    echo "could not create the first admin token (see above); the service starts anyway" >&2
  fi
fi
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
  # The generator authenticates as any exporter does, through OTEL_EXPORTER_OTLP_HEADERS, with an ingest token of its own.
  demo_headers=
  if $auth; then
    "$slomonitor" tokens revoke demo-traffic >/dev/null 2>&1 9>&- || true
    demo_headers="Authorization=Bearer $("$slomonitor" tokens create --name demo-traffic --scopes ingest 9>&- | tail -n 1)"
  fi
  OTEL_EXPORTER_OTLP_HEADERS=$demo_headers src/SloMonitor.TrafficGenerator/bin/Release/net10.0/SloMonitor.TrafficGenerator --endpoint "http://127.0.0.1:$grpc_port" --webhook-port 9095 9>&- &
  generator=$!
fi

# The service runs as a child that this script waits for: a SIGTERM or SIGINT sent to the script is passed on, and
# the private PostgreSQL is stopped only once the service has finished its own shutdown (final checkpoint included).
"$slomonitor" "${args[@]}" &
service=$!
trap 'kill -TERM "$service" 2>/dev/null || true' TERM INT
status=0
while kill -0 "$service" 2>/dev/null; do
  wait "$service" && status=0 || status=$?
done
exit "$status"
