#!/usr/bin/env bash
# Runs every test in the solution against a private PostgreSQL server that it starts (and stops) itself.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Histograms).
# Ends with one line "N passed, N failed, N skipped"; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

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
