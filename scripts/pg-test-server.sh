#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the `pg` tests (libs/store/src/store_pgtest.cpp).
#
#   scripts/pg-test-server.sh start DIR   initdb in DIR/data (first time), start the server, print
#                                         postgresql://vgi@127.0.0.1:<port>/postgres on stdout
#   scripts/pg-test-server.sh stop DIR    stop it (pg_ctl stop -m fast)
#
# Both are idempotent: `start` on a running server prints its URL again, `stop` on a stopped one
# does nothing. The server listens on 127.0.0.1 only (a free port) and on a unix socket inside DIR,
# trusts loopback connections (test use only), keeps fsync on, and uses small shared_buffers.
# The database superuser is `vgi` whoever runs the script. initdb refuses to run as root, so as
# root the server runs as the `postgres` system user (created by the postgresql-15 package), or as
# a `vgi-pg` system user created here when that one is absent; DIR is handed to that user.
#
# VGI_PG_EXTRA_CONF (lines of postgresql.conf) is appended to these settings, e.g. a
# production-sized shared_buffers for a benchmark.
#
# Usage in a shell:  export VGI_TEST_PG_URL=$(scripts/pg-test-server.sh start /tmp/vgi-pg)
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
action=$1
dir=$2
[ -n "$dir" ] || usage

bin=/usr/lib/postgresql/15/bin
db_user=vgi

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

# The OS user the server runs as, and a wrapper that runs a command as that user.
run_as=()
os_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  if id -u postgres >/dev/null 2>&1; then
    os_user=postgres
  else
    if ! id -u vgi-pg >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vgi-pg \
        || die "cannot create the system user vgi-pg (initdb refuses to run as root)"
    fi
    os_user=vgi-pg
  fi
  run_as=(runuser -u "$os_user" --)
fi

as_server() { "${run_as[@]}" "$@"; }

data=$dir/data
url_of() { echo "postgresql://${db_user}@127.0.0.1:$1/postgres"; }

running() {
  [ -f "$data/PG_VERSION" ] && as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

case "$action" in
  start)
    [ -x "$bin/initdb" ] || die "$bin/initdb not found: install postgresql-15 (scripts/install-deps.sh)"
    if running; then
      url_of "$(cat "$dir/port")"
      exit 0
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data=$dir/data
    if [ ${#run_as[@]} -gt 0 ]; then
      chown "$os_user" "$dir"
      as_server test -w "$dir" \
        || die "user $os_user cannot write $dir (a parent directory is not searchable by it): use a directory under /tmp"
    fi

    if [ ! -f "$data/PG_VERSION" ]; then
      as_server "$bin/initdb" -D "$data" -U "$db_user" -A trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
      # Loopback and the unix socket only, no password: a test server.
      as_server sh -c "cat >'$data/pg_hba.conf'" <<'EOF'
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
    fi

    # A free port: ask the kernel for one, then start on it; retry if someone takes it first.
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      as_server sh -c "cat >'$data/postgresql.auto.conf'" <<EOF
# Written by scripts/pg-test-server.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
shared_buffers = 64MB
max_connections = 100
max_wal_size = 1GB
logging_collector = off
${VGI_PG_EXTRA_CONF:-}
EOF
      if as_server "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        url_of "$port"
        exit 0
      fi
      grep -q "could not bind" "$dir/postgres.log" 2>/dev/null || break
      sleep 0.2
    done
    die "the server did not start; see $dir/postgres.log"
    ;;
  stop)
    if running; then
      as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 \
        || die "pg_ctl stop failed; see $dir/postgres.log"
    fi
    ;;
  *)
    usage
    ;;
esac
