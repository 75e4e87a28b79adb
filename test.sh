#!/usr/bin/env bash
# Runs every test in the solution against a private PostgreSQL server that it starts (and stops) itself.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Histograms).
# Ends with one line "N passed, N failed, N skipped"; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

# What the tests run against besides PostgreSQL (deploy/local-postgres.sh installs that one): Debian's chromium for
# the browser tests, prometheus-alertmanager (alertmanager and amtool) for the upstream-Alertmanager and amtool
# tests, and prometheus for the test that has a real Prometheus send its alerts to SloMonitor.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/prometheus-alertmanager ] && [ -x /usr/bin/amtool ] || need+=(prometheus-alertmanager)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  install=(apt-get install -y -qq --no-install-recommends "${need[@]}")
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); else
    echo "the tests need Debian packages that are missing: ${need[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo ${install[*]}" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "installing Debian packages the tests need: ${need[*]}" >&2
  "${sudo[@]}" apt-get update -qq >&2 && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2 \
    || { echo "could not install ${need[*]}" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

pgdir="$root/.data/postgres-test"
export LOCAL_POSTGRES_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! SLOMONITOR_TEST_POSTGRES=$(deploy/local-postgres.sh start "$pgdir" | tail -n 1); then
  echo "could not start the test PostgreSQL server (see $pgdir/server.log)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export SLOMONITOR_TEST_POSTGRES
trap 'deploy/local-postgres.sh stop "$pgdir"' EXIT

results="$root/TestResults"
rm -rf "$results"
dotnet build SloMonitor.sln -c Release -nologo -v:q -nodeReuse:false || { echo "0 passed, 1 failed"; exit 1; }
dotnet test SloMonitor.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 5m "$@"
status=$?

# Sum the counters of every TRX file the run wrote.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); v = kv[2]; sub(/".*/, "", v);
        if (kv[1] == "passed") p += v; else if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") f += v;
        else if (kv[1] == "notExecuted") s += v } }
    END { printf "%d %d %d\n", p, f, s }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
