#!/usr/bin/env bash
# A private PostgreSQL cluster for running and testing SloMonitor on one machine.
#   deploy/local-postgres.sh start DIR [DATABASE]
#        creates (first time) and starts a cluster in DIR on 127.0.0.1 and a free port, creates DATABASE when given
#        and missing, and prints the connection string on the last line of stdout.
#   deploy/local-postgres.sh stop DIR    stops it.
#   deploy/local-postgres.sh status DIR  exits 0 when its cluster is running, 1 otherwise.
# The cluster trusts local connections on 127.0.0.1 only and runs as a non-root user (postgres when started by
# root). When the server binaries are missing it installs Debian's postgresql package with apt-get.
set -euo pipefail

cmd=${1:?usage: local-postgres.sh start|stop|status DIR}
dir=$(mkdir -p "${2:?usage: local-postgres.sh start|stop|status DIR}" && cd "$2" && pwd)
database=${3:-postgres}
data="$dir/data"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(find_bin)
if [ "$cmd" = status ] && { [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; }; then
  exit 1
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found; installing Debian's postgresql package" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  bin=$(find_bin)
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for port in $(seq "${1:-55432}" 65000); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "no free port found" >&2; exit 1
}

case "$cmd" in
  start)
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
      chown postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        # A parent folder is closed to other users (e.g. a checkout under /root): keep the cluster where the
        # postgres user can reach it and leave a link in DIR.
        outside="/var/lib/slomonitor-local/$(printf '%s' "$dir" | sha1sum | cut -c1-12)"
        mkdir -p "$outside" && chown postgres "$outside"
        [ -L "$data" ] || ln -s "$outside/data" "$data"
        data="$outside/data"
      fi
    fi
    logs=$(dirname "$data")
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U slomonitor --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$logs/initdb.log" 2>&1 \
        || { cat "$logs/initdb.log" >&2; exit 1; }
    fi
    if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      port=$(cat "$dir/port")
    else
      preferred=$(cat "$dir/port" 2>/dev/null || echo 55432)
      port=$(free_port "$preferred")
      extra=${LOCAL_POSTGRES_OPTIONS:-}
      # Another cluster starting at the same moment may take the port found free: then try the next free one.
      for attempt in 1 2 3 4 5; do
        echo "$port" >"$dir/port"
        logged=0
        [ -f "$logs/server.log" ] && logged=$(wc -l <"$logs/server.log")
        if as_owner "$bin/pg_ctl" -D "$data" -l "$logs/server.log" -w -t 60 \
          -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 $extra" start >&2; then
          break
        fi
        if [ "$attempt" -lt 5 ] && tail -n +"$((logged + 1))" "$logs/server.log" | grep -q "Address already in use"; then
          port=$(free_port "$((port + 1))")
          continue
        fi
        tail -n 20 "$logs/server.log" >&2; exit 1
      done
    fi
    if [ "$database" != postgres ]; then
      exists=$("$bin/psql" -h 127.0.0.1 -p "$port" -U slomonitor -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")
      [ "$exists" = 1 ] || "$bin/createdb" -h 127.0.0.1 -p "$port" -U slomonitor "$database" >&2
    fi
    echo "Host=127.0.0.1;Port=$port;Username=slomonitor;Database=$database"
    ;;
  stop)
    [ -L "$data" ] && data=$(readlink "$data")
    if [ -f "$data/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
    fi
    ;;
  status)
    [ -L "$data" ] && data=$(readlink "$data")
    if [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then exit 0; else exit 1; fi
    ;;
  *) echo "usage: local-postgres.sh start|stop|status DIR" >&2; exit 2 ;;
esac
