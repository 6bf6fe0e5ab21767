#!/usr/bin/env bash
# The grid server benchmark (BENCHMARKS.md, "Grid server (issue 3)"): `vgi bench` against a fresh
# `vgi serve` and against nginx answering a static JSON on the same TLS set-up, server side pinned
# to core 0 and the client to core 1.
#
#   scripts/bench.sh [--quick] [--pg | --database postgresql://...] [--connections N]
#                    [--duration S] [--perf] [--out FILE] [--keep]
#
#   --quick          small sizes (~30 s for SQLite): a smoke test of the whole path
#   --pg             also run the store-bound scenarios on a throwaway PostgreSQL
#                    (scripts/pg-test-server.sh, pinned to core 0 with the server)
#   --database URL   ... or on this PostgreSQL (also env VGI_BENCH_PG_URL); the runs use a fresh
#                    random OperatorID, so earlier data does not mix into the figures
#   --no-sqlite      skip the SQLite runs (with --pg or --database: PostgreSQL only)
#   --connections N  keep-alive connections for the throughput runs (default 32)
#   --duration S     seconds of each throughput run (default 10)
#   --perf           record the server with `perf record -g` during power-small and power-fleet
#                    and print its top functions
#   --out FILE       also write the figures as Markdown table rows to FILE
#   --keep           keep the temporary directory (configs, logs, every report)
#
# Builds nothing: uses $VGI or build/release/apps/vgi/vgi. Exits non-zero when any run failed
# (a request not answered Ret 0, a server that did not start, a run past its time limit).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
vgi=${VGI:-$here/build/release/apps/vgi/vgi}
quick=0
pg_mode=0
sqlite_mode=1
pg_url=${VGI_BENCH_PG_URL:-}
connections=32
duration=10
perf_on=0
out_file=
keep=0

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --pg) pg_mode=1 ;;
    --no-sqlite) sqlite_mode=0 ;;
    --database) pg_url=${2:?--database needs a URL}; shift ;;
    --connections) connections=${2:?}; shift ;;
    --duration) duration=${2:?}; shift ;;
    --perf) perf_on=1 ;;
    --out) out_file=${2:?}; shift ;;
    --keep) keep=1 ;;
    -h|--help) usage ;;
    *) echo "bench.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done
[ -n "$pg_url" ] && pg_mode=1

die() { echo "bench.sh: $*" >&2; exit 1; }
[ -x "$vgi" ] || die "no vgi binary at $vgi: build it (cmake --build build/release) or set VGI=/path/to/vgi"
# The nginx reference needs nginx and python3 (a free port); without them the vgi figures are
# still measured (a smoke test on a machine without nginx still runs).
have_nginx=1
if ! command -v nginx >/dev/null || ! command -v python3 >/dev/null; then
  echo "bench.sh: nginx or python3 not found: no nginx reference this run (apt-get install nginx-light python3)" >&2
  have_nginx=0
fi

# Sizes.
if [ "$quick" = 1 ]; then
  connections=8; duration=2; rate=200
  fleet_stations=20000; fleet_batch=500; fleet_minutes=3
  model_stations=2000; stakes=10; page_size=500
else
  rate=1000
  # 16 minutes: PostgreSQL folds its pending power every 8 minutes of a 1 000 000-station fleet
  # (PostgresOptions::fold_points), so the run holds two folds of every partition.
  fleet_stations=1000000; fleet_batch=500; fleet_minutes=16
  model_stations=30000; stakes=10; page_size=1000
fi

# Pinning: server side on core 0, client on core 1 (skipped on a single core).
if [ "$(nproc)" -ge 2 ]; then
  pin_server=(taskset -c 0)
  pin_client=(taskset -c 1)
else
  echo "bench.sh: only $(nproc) core: running without pinning (server and client share it)" >&2
  pin_server=()
  pin_client=()
fi

tmp=$(mktemp -d /tmp/vgi-bench.XXXXXX)
server_pid=
nginx_pid=
pg_dir=
failures=0
cleanup() {
  set +e
  [ -n "$server_pid" ] && stop_server
  [ -n "${watch_pid:-}" ] && kill "$watch_pid" 2>/dev/null
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid"
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null
  fi
  if [ -n "$pg_dir" ]; then
    "$here/scripts/pg-test-server.sh" stop "$pg_dir" >/dev/null 2>&1
    if [ "$keep" = 1 ]; then echo "bench.sh: kept $pg_dir" >&2; else rm -rf "$pg_dir"; fi
  fi
  if [ "$keep" = 1 ]; then echo "bench.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The peer: a fresh OperatorID per run, fixed keys.
operator_id=$(printf 'BN%07d' $(( (RANDOM * 32768 + RANDOM) % 10000000 )))
operator_secret=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
data_secret=a1B2c3D4e5F6g7H8
data_iv=Q9w8E7r6T5y4U3i2
sig_secret=FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210
mkdir -p "$tmp/tls" "$tmp/results"

# write_config NAME DATABASE -> $tmp/NAME/vgi.yaml, and a fixed master key in its data_dir: every
# server of a run (and of earlier runs on the same PostgreSQL) must open the peers the others
# sealed into the shared database.
write_config() {
  local dir=$tmp/$1
  mkdir -p -m 0700 "$dir/var"
  (umask 077; printf '%s' 'vgi-bench-fixed-master-key-32byt' >"$dir/var/master.key")
  cat >"$dir/vgi.yaml" <<EOF
grid:
  operator_id: "MA0GRID01"
server:
  listen: "127.0.0.1:0"
  threads: 1
  tls:
    cert: "$tmp/tls/server.crt"
    key: "$tmp/tls/server.key"
data_dir: "$dir/var"
database: "$2"
log:
  level: info
peers:
  - operator_id: "$operator_id"
    name: "vgi bench"
    inbound:
      operator_secret: "$operator_secret"
      data_secret: "$data_secret"
      data_iv: "$data_iv"
      sig_secret: "$sig_secret"
EOF
}

# start_server NAME: runs `vgi serve` on core 0 with $tmp/NAME/vgi.yaml until stop_server.
start_server() {
  local dir=$tmp/$1
  rm -f "$dir/port"
  "${pin_server[@]}" "$vgi" serve --config "$dir/vgi.yaml" --port-file "$dir/port" >>"$dir/server.log" 2>&1 &
  server_pid=$!
  server_dir=$dir
  for _ in $(seq 300); do
    [ -s "$dir/port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$dir/server.log" >&2
  server_pid=
  die "vgi serve ($1) did not start; see the log above"
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

start_nginx() {
  local dir=$tmp/nginx port
  port=$(free_port)
  mkdir -p "$dir/logs" "$dir/temp"
  chmod 0777 "$dir/temp"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log $dir/logs/access.log combined buffer=64k;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  client_max_body_size 8m;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $tmp/tls/server.crt;
    ssl_certificate_key $tmp/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305;
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_prefer_server_ciphers off;
    location / {
      default_type application/json;
      return 200 '{"Ret":0,"Msg":"ok","Data":"","Sig":""}';
    }
  }
}
EOF
  "${pin_server[@]}" nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -g 'daemon off;' \
    >"$dir/logs/stdout.log" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 100); do
    curl -sk -o /dev/null "https://127.0.0.1:$port/" && { nginx_port=$port; return 0; }
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/logs/error.log" >&2 || true
  die "nginx did not start (see above)"
}

# bench NAME TIMEOUT ARGS...: one `vgi bench` run on core 1 against the running server; its report
# goes to the terminal and to $tmp/results/NAME.txt. A failed run is counted, not fatal.
bench() {
  local name=$1 limit=$2
  shift 2
  echo
  echo "=== $name: vgi bench $*"
  local rc=0
  timeout --kill-after=10 "$limit" "${pin_client[@]}" "$vgi" bench --config "$server_dir/vgi.yaml" \
    --port-file "$server_dir/port" --server-pid "$(server_pids)" "$@" | tee "$tmp/results/$name.txt" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "bench.sh: $name FAILED (exit $rc$([ "$rc" = 124 ] && echo ", over its ${limit} limit"))" >&2
    failures=$((failures + 1))
  fi
  return 0
}

# The server side's processes: vgi, then a local throwaway PostgreSQL's postmaster (vgi bench
# adds its backends, live or ended: their CPU seconds count as the server's).
server_pids() {
  if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    echo "$server_pid,$(head -n 1 "$pg_dir/data/postmaster.pid")"
  else
    echo "$server_pid"
  fi
}

# get NAME KEY: a value from the run's summary line ("" when absent).
get() {
  local f=$tmp/results/$1.txt
  [ -f "$f" ] || return 0
  { grep '^summary ' "$f" || true; } | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# perf_record SECONDS NAME: samples the server with call graphs for SECONDS in the background.
perf_record() {
  [ "$perf_on" = 1 ] || return 0
  perf record -g -F 999 -p "$server_pid" -o "$tmp/results/$2.perf.data" -- sleep "$1" >/dev/null 2>&1 &
  perf_pid=$!
}
perf_report() {
  [ "$perf_on" = 1 ] || return 0
  wait "$perf_pid" 2>/dev/null || true
  echo "--- perf: server's top functions during $1 (self time)"
  perf report -i "$tmp/results/$1.perf.data" --no-children --sort symbol --stdio --percent-limit 1 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -n 25 || true
}

sizes_sqlite() {  # bytes of the power tables (with their indexes), and of the whole database files
  local db=$server_dir/var/vgi.db
  local power
  power=$(sqlite3 "file:$db?mode=ro" \
    "SELECT COALESCE(SUM(pgsize),0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name LIKE 'power%');" \
    2>/dev/null || echo "")
  local files
  files=$(du -cb "$db" "$db-wal" 2>/dev/null | tail -n 1 | cut -f1)
  echo "${power:-0} ${files:-0}"
}
sizes_pg() {
  local power
  # power_pending holds transient bodies (deleted by each fold, its space reused): its size follows
  # the largest backlog, not the days stored, and settle_pg prints it apart.
  power=$(psql "$1" -Atc "SELECT COALESCE(SUM(pg_total_relation_size(oid)),0) FROM pg_class WHERE relkind='r' AND relname LIKE 'power%' AND relname <> 'power_pending';" 2>/dev/null || echo "")
  local whole
  whole=$(psql "$1" -Atc "SELECT pg_database_size(current_database());" 2>/dev/null || echo "")
  echo "${power:-0} ${whole:-0}"
}

# settle_pg NAME DATABASE: what is pending goes into the hour rows (`vgi db fold`), so that the
# power tables hold every stored day; the pending table's own size is printed.
settle_pg() {
  "${pin_server[@]}" "$vgi" db fold --config "$tmp/$1/vgi.yaml" || failures=$((failures + 1))
  echo "power_pending after the fold: $(psql "$2" -Atc "SELECT pg_size_pretty(pg_total_relation_size('power_pending'))")"
}

# run_backend LABEL DATABASE: every store-bound scenario on one backend.
run_backend() {
  local label=$1 database=$2
  echo
  echo "##### $label"
  echo "disk fdatasync of 8 KiB now: $(disk_fsync)"
  # Server 1: throughput (power-small, then the nginx reference between two vgi runs), the
  # 1000 req/s latency, and the 1 000 000-station minute.
  write_config "$label-1" "$database"
  start_server "$label-1"
  [ -n "$nginx_pid" ] || [ "$have_nginx" = 0 ] || start_nginx
  perf_record "$duration" "$label-power-small"
  bench "$label-power-small" $((duration + 120)) --scenario power-small --connections "$connections" --duration "$duration"
  perf_report "$label-power-small"
  if [ "$have_nginx" = 1 ] && [ ! -f "$tmp/results/nginx-raw.txt" ]; then
    # Same client, same connections, static answer: the reference.
    echo
    echo "=== nginx-raw: vgi bench --scenario raw --url https://127.0.0.1:$nginx_port/evcs/v1"
    timeout --kill-after=10 $((duration + 120)) "${pin_client[@]}" "$vgi" bench --scenario raw \
      --url "https://127.0.0.1:$nginx_port/evcs/v1" --ca-file "$tmp/tls/server.crt" --operator-id "$operator_id" \
      --operator-secret "$operator_secret" --data-secret "$data_secret" --data-iv "$data_iv" --sig-secret "$sig_secret" \
      --connections "$connections" --duration "$duration" | tee "$tmp/results/nginx-raw.txt" \
      || { echo "bench.sh: nginx-raw FAILED" >&2; failures=$((failures + 1)); }
    if command -v wrk >/dev/null; then
      # A second opinion on nginx's capacity from a client leaner than ours (is ours the limit?).
      printf '%s' '{"stationPowerList":[{"stationCode":"BS0000000","creditCode":"91120101'"$operator_id"'X","adjustTopPower":3025.00,"adjustBottomPower":19.25,"powerPointList":[{"point":"2024-04-09 00:00","power":20.00}]}]}' \
        | "$vgi" envelope seal --operator-id "$operator_id" --data-secret "$data_secret" --data-iv "$data_iv" \
          --sig-secret "$sig_secret" >"$tmp/wrk-body.json"
      cat >"$tmp/wrk.lua" <<EOF
wrk.method = "POST"
local f = io.open("$tmp/wrk-body.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json; charset=utf-8"
wrk.headers["Authorization"] = "Bearer v1.1.$operator_id.1700000000000.1700007200000.$(printf 'A%.0s' $(seq 64))"
EOF
      echo
      echo "=== nginx-wrk: wrk -t1 -c$connections -d${duration}s (client cross-check)"
      timeout $((duration + 30)) "${pin_client[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency \
        -s "$tmp/wrk.lua" "https://127.0.0.1:$nginx_port/evcs/v1/send_station_power_1440" \
        | tee "$tmp/results/nginx-wrk.txt" || true
    fi
    # vgi once more after nginx: the VM's speed drifts, so the ratio uses the mean of both vgi runs.
    bench "$label-power-small-2" $((duration + 120)) --scenario power-small --connections "$connections" --duration "$duration"
  fi
  bench "$label-rate" $((duration + 120)) --scenario power-small --connections "$connections" --duration "$duration" --rate "$rate"
  perf_record 8 "$label-power-fleet"
  bench "$label-power-fleet" 1800 --scenario power-fleet --connections "$connections" --stations "$fleet_stations" \
    --batch "$fleet_batch" --minutes "$fleet_minutes"
  perf_report "$label-power-fleet"
  # The fleet's cost includes folding what it wrote (PostgreSQL; SQLite has nothing pending):
  # the server's stop (it finishes the partition it is folding) and `vgi db fold` of the rest,
  # on the server's core.
  local t0 t1 t2 folded
  t0=$(date +%s.%N)
  stop_server
  t1=$(date +%s.%N)
  echo
  echo "=== $label-fold: vgi db fold (what the fleet left pending)"
  folded=$("${pin_server[@]}" "$vgi" db fold --config "$tmp/$label-1/vgi.yaml" 2>&1) \
    || { echo "bench.sh: $label-fold FAILED: $folded" >&2; failures=$((failures + 1)); }
  t2=$(date +%s.%N)
  echo "$folded"
  echo "summary stop_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
    "fold_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')" | tee "$tmp/results/$label-fold.txt"

  # Server 2, fresh: the model (first sync, then the daily re-sync of the same model), a day of
  # power for every station, the RSS holding all of it, and the bytes a station-day takes.
  write_config "$label-2" "$database"
  start_server "$label-2"
  bench "$label-model-sync" 600 --scenario model-sync --connections 8 --stations "$model_stations" \
    --stakes-per-station "$stakes" --page-size "$page_size"
  bench "$label-model-resync" 600 --scenario model-sync --connections 8 --stations "$model_stations" \
    --stakes-per-station "$stakes" --page-size "$page_size"
  local before after
  if [ -z "$database" ]; then
    before=$(sizes_sqlite)
  else
    settle_pg "$label-2" "$database"
    before=$(sizes_pg "$database")
  fi
  bench "$label-day-load" 1800 --scenario day-load --skip-model-sync --connections 4 --stations "$model_stations" \
    --stakes-per-station "$stakes" --page-size "$page_size"
  if [ -z "$database" ]; then
    after=$(sizes_sqlite)
  else
    settle_pg "$label-2" "$database"
    after=$(sizes_pg "$database")
  fi
  local days
  days=$(get "$label-day-load" station_days)
  read -r p0 w0 <<<"$before"
  read -r p1 w1 <<<"$after"
  if [ -n "$days" ] && [ "$days" -gt 0 ]; then
    echo "$label: power tables grew by $((p1 - p0)) bytes for $days station-days = $(((p1 - p0) / days)) bytes/station-day;" \
      "the whole database is $w1 bytes" | tee "$tmp/results/$label-sizes.txt"
    echo "summary bytes_per_station_day=$(((p1 - p0) / days)) db_bytes=$w1" >>"$tmp/results/$label-sizes.txt"
  fi
  stop_server
}

# Pin a throwaway PostgreSQL (postmaster and every backend, current and forked later) to core 0.
pin_postgres() {
  local port pm
  port=$(sed -n 's/.*:\([0-9]*\)\/.*/\1/p' <<<"$1")
  pm=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null || true)
  [ -n "$pm" ] && [ "${#pin_server[@]}" -gt 0 ] || return 0
  for p in $pm $(pgrep -P "$pm"); do taskset -a -c -p 0 "$p" >/dev/null; done
  echo "PostgreSQL on port $port pinned to core 0 (postmaster $pm and its backends)"
}

# The disk's own fdatasync latency: every Ret 0 waits for one, so it bounds the latency figures.
disk_fsync() {
  command -v python3 >/dev/null || { echo "not measured (no python3)"; return 0; }
  python3 - "$tmp" <<'PY'
import os, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
lat = []
for i in range(1000):
    os.pwrite(fd, b"x" * 8192, (i % 64) * 8192)
    t = time.perf_counter(); os.fdatasync(fd); lat.append((time.perf_counter() - t) * 1e3)
os.close(fd); os.unlink(path)
lat.sort()
print("p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (lat[500], lat[990], lat[-1]))
PY
}

# Other work on the machine (compilers of other builds) disturbs the figures: sample it.
watch_foreign() {
  while :; do
    if ps -eo comm= | grep -Eqx 'cc1plus|cc1|clang|clang\+\+|clang-14|ld|ld\.lld|ninja'; then echo busy; else echo idle; fi
    sleep 2
  done >"$tmp/foreign.txt"
}

echo "vgi bench run: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); vgi: $vgi; OperatorID $operator_id; $connections connections"
echo "disk fdatasync of 8 KiB in $tmp: $(disk_fsync)"
watch_foreign &
watch_pid=$!
start=$(date +%s)

[ "$sqlite_mode" = 1 ] && run_backend sqlite ""
if [ "$pg_mode" = 1 ]; then
  if [ -z "$pg_url" ]; then
    # Its own directory: the server runs as another user, who cannot enter $tmp (mode 0700).
    pg_dir=$(mktemp -d /tmp/vgi-bench-pg.XXXXXX)
    pg_url=$("$here/scripts/pg-test-server.sh" start "$pg_dir") || die "could not start a throwaway PostgreSQL"
    pin_postgres "$pg_url"
  fi
  run_backend postgres "$pg_url"
fi

# ---- the figures ---------------------------------------------------------------------------------
mean() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" && b == "") print ""; else if (b == "") print a; else if (a == "") print b; else printf "%.1f", (a + b) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.0f %%", 100 * a / b }'; }
nginx_rps=$(get nginx-raw req_s)
wrk_rps=$(sed -n 's/^Requests\/sec: *//p' "$tmp/results/nginx-wrk.txt" 2>/dev/null || true)
fig() {  # fig LABEL: the backend's column values
  local l=$1 rps
  rps=$(mean "$(get "$l-power-small" req_s)" "$(get "$l-power-small-2" req_s)")
  col_rps[$l]="$rps req/s ($(ratio "$rps" "$nginx_rps") of nginx)"
  col_p99[$l]="$(get "$l-rate" p99_ms) ms (p50 $(get "$l-rate" p50_ms) ms)"
  local sent
  sent=$({ grep '^summary ' "$tmp/results/$l-power-fleet.txt" 2>/dev/null || true; } | tail -n 1 | tr ' ' '\n' |
    awk -F= '/^seconds_m[0-9]+=/ { s += $2; n++ } END { if (n) printf "%.2f", s }')
  col_fleet[$l]="$(awk -v s="$sent" -v a="$(get "$l-fold" stop_s)" -v b="$(get "$l-fold" fold_s)" -v m="$fleet_minutes" \
    'BEGIN { if (s == "") print "n/a"; else printf "%.2f s a minute: %d minutes sent in %.1f s + stop %.1f s + fold of the rest %.1f s", (s + a + b) / m, m, s, a, b }')"
  col_fleet[$l]+=" (first minute $(get "$l-power-fleet" seconds_m1) s, second $(get "$l-power-fleet" seconds_m2) s)"
  col_sync[$l]="$(get "$l-model-sync" seconds) s (re-sync $(get "$l-model-resync" seconds) s)"
  col_rss[$l]="$(get "$l-day-load" rss_mib) MiB (peak $(get "$l-day-load" peak_rss_mib) MiB)"
  col_bytes[$l]="$(get "$l-sizes" bytes_per_station_day) B"
}
declare -A col_rps col_p99 col_fleet col_sync col_rss col_bytes
fig sqlite
[ "$pg_mode" = 1 ] && fig postgres
pgv() { [ "$pg_mode" = 1 ] && echo "$1" || echo "not run"; }
[ "$sqlite_mode" = 1 ] || for a in col_rps col_p99 col_fleet col_sync col_rss col_bytes; do eval "$a[sqlite]='not run'"; done

table=$(cat <<EOF
| figure | target | SQLite | PostgreSQL | nginx reference |
|---|---|---|---|---|
| power-small, $connections connections, closed loop | ≥ 30 % of nginx | ${col_rps[sqlite]} | $(pgv "${col_rps[postgres]:-}") | $nginx_rps req/s (same client); wrk: ${wrk_rps:-n/a} req/s |
| power-small p99 at $rate req/s (open loop) | < 10 ms | ${col_p99[sqlite]} | $(pgv "${col_p99[postgres]:-}") | |
| $fleet_stations stations × 1 minute, requests of $fleet_batch (mean of $fleet_minutes, folding included) | ≤ 10 s of one core | ${col_fleet[sqlite]} | $(pgv "${col_fleet[postgres]:-}") | |
| model sync $model_stations stations × $stakes stakes, pages of $page_size | ≤ 5 s | ${col_sync[sqlite]} | $(pgv "${col_sync[postgres]:-}") | |
| server RSS holding the model + a day of power | < 512 MiB | ${col_rss[sqlite]} | $(pgv "${col_rss[postgres]:-}") | |
| storage per station-day (power tables) | — | ${col_bytes[sqlite]} | $(pgv "${col_bytes[postgres]:-}") | |
EOF
)
echo
kill "$watch_pid" 2>/dev/null || true
busy=$(grep -c busy "$tmp/foreign.txt" || true)
samples=$(wc -l <"$tmp/foreign.txt")
echo "##### figures ($(($(date +%s) - start)) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "other builds' compilers seen in $busy of $samples 2-second samples)"
echo "$table"
[ -n "$out_file" ] && echo "$table" >"$out_file"
if [ "$failures" -gt 0 ]; then
  echo "bench.sh: $failures run(s) FAILED: the figures above are incomplete or wrong" >&2
  exit 1
fi
