#!/usr/bin/env bash
# A private PostgreSQL cluster under ./var for `make run` and `make test`.
#   scripts/pg.sh start DIR PORT   create (if needed) and start a cluster in DIR listening on 127.0.0.1:PORT
#   scripts/pg.sh stop DIR         stop it
#   scripts/pg.sh restart DIR      restart it (the pool test uses this)
#   scripts/pg.sh url DIR PORT DB  print the connection URL
# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
set -euo pipefail

cmd=${1:?usage: pg.sh start|stop|restart|url DIR [PORT] [DB]}
dir=$(realpath -m "${2:?cluster directory}")
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  # A caller (e.g. a test runner) may have blocked signals; PostgreSQL must not inherit that mask.
  local unblocked=(python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])')
  if [ "$(id -u)" = 0 ]; then
    "${unblocked[@]}" runuser -u postgres -- "$@"
  else
    "${unblocked[@]}" "$@"
  fi
}

case "$cmd" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
      cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
timezone = 'Europe/Paris'
log_min_messages = warning
CONF
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    fi
    ;;
  stop)
    [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  restart)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
    ;;
  url)
    echo "postgresql://postgres@127.0.0.1:${3:?port}/${4:-postgres}"
    ;;
  *)
    echo "pg.sh: unknown command $cmd" >&2; exit 2 ;;
esac
