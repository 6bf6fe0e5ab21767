#!/usr/bin/env bash
# End-to-end tests of the vgi command line: envelope seal/open round trips, the seed's own signed
# example, and the errors a person gets for bad input (exit code, Ret line).
# Usage: cli_test.sh VGI_BINARY SHARED_DIR
set -uo pipefail
vgi=$1
shared=$2
failures=0
passed=0

check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT [OUTPUT PATTERN]
  local name=$1 want=$2 got=$3 output=${4:-} pattern=${5:-}
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; echo "$output" | head -5; failures=$((failures + 1)); return
  fi
  if [ -n "$pattern" ] && ! grep -qF -- "$pattern" <<<"$output"; then
    echo "FAIL $name: output lacks: $pattern"; echo "$output" | head -5; failures=$((failures + 1)); return
  fi
  passed=$((passed + 1))
}

keys=(--data-secret abcdefghij012345 --data-iv ABCDEFGHIJ012345 --sig-secret FEDCBA9876543210FEDCBA9876543210)
data='{"taskID":"1233321412","regulationID":"FHTK-105-20200419","status":1}'

env=$(echo "$data" | "$vgi" envelope seal --operator-id 123456789 --interface callback_task_overview "${keys[@]}" 2>&1)
check "seal request" 0 $? "$env" '"OperatorID":"123456789"'
out=$(echo "$env" | "$vgi" envelope open --interface callback_task_overview --check-freshness "${keys[@]}" 2>&1)
check "open request" 0 $? "$out" "$data"
check "open reports the checks" 0 0 "$out" "Sig: ok"

# Same keys from the environment instead of flags.
out=$(echo "$env" | VGI_DATA_SECRET=abcdefghij012345 VGI_DATA_IV=ABCDEFGHIJ012345 \
  VGI_SIG_SECRET=FEDCBA9876543210FEDCBA9876543210 "$vgi" envelope open 2>&1)
check "keys from environment" 0 $? "$out" "$data"

out=$(echo "$env" | "$vgi" envelope open --data-secret abcdefghij012345 --data-iv ABCDEFGHIJ012345 \
  --sig-secret 00000000000000000000000000000000 2>&1)
check "wrong SigSecret" 1 $? "$out" "Ret 4009"

out=$(echo '{"taskID":"1","regulationID":"r","status":7}' | "$vgi" envelope seal --operator-id 123456789 \
  --interface callback_task_overview "${keys[@]}" 2>&1)
check "invalid Data refused before sealing" 1 $? "$out" "status: 7 is not one of 0, 1"

out=$(echo '{"OperatorID":"123456789","Data":"x","TimeStamp":"2026","Seq":"0001","Sig":"00"}' |
  "$vgi" envelope open "${keys[@]}" 2>&1)
check "malformed envelope" 1 $? "$out" "Ret 4003"

resp=$(echo '{"OperatorID":"123456789","Code":0,"AccessToken":"t","TokenAvailableTime":7200,"Message":"ok"}' |
  "$vgi" envelope seal --response --interface query_token "${keys[@]}" 2>&1)
check "seal response" 0 $? "$resp" '"Ret":0'
out=$(echo "$resp" | "$vgi" envelope open --response --interface query_token "${keys[@]}" 2>&1)
check "open response" 0 $? "$out" '"AccessToken":"t"'

resp=$(printf '' | "$vgi" envelope seal --response --ret 4003 --dialect example "${keys[@]}" 2>&1)
check "example dialect response" 0 $? "$resp" '"ret":4003'

# The seed's own signed example (5.4.3/5.4.4), keys 1234567890abcdef.
seed=$(python3 - "$shared/vectors/crypto-vectors.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["hmac_md5_request_sig"][0]
print(json.dumps({"OperatorID": v["OperatorID"], "Data": v["Data"], "TimeStamp": v["TimeStamp"], "Seq": v["Seq"], "Sig": v["sig"]}))
PY
)
out=$(echo "$seed" | "$vgi" envelope open --data-secret 1234567890abcdef --data-iv 1234567890abcdef \
  --sig-secret 1234567890abcdef 2>&1)
check "seed example opens" 0 $? "$out" "中心站1号直流桩枪A"
out=$(echo "$seed" | "$vgi" envelope open --check-freshness --data-secret 1234567890abcdef \
  --data-iv 1234567890abcdef --sig-secret 1234567890abcdef 2>&1)
check "seed example is stale" 1 $? "$out" "behind the grid's clock"

out=$("$vgi" envelope seal --operator-id 123456789 2>&1)
check "missing keys name the flag" 2 $? "$out" "--data-secret"
out=$("$vgi" envelope --help 2>&1)
check "help" 0 $? "$out" "seal"
out=$("$vgi" selfcheck --vectors "$shared/vectors/crypto-vectors.json" 2>&1)
check "selfcheck" 0 $? "$out" "self-check passed"
out=$("$vgi" selfcheck --vectors /nonexistent.json 2>&1)
check "selfcheck without vectors" 1 $? "$out" "cannot be read"

# vgi peer and vgi serve on a throwaway data_dir.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'server:\n  listen: "127.0.0.1:0"\ndata_dir: "var"\n' >"$work/vgi.yaml"
out=$("$vgi" peer add -c "$work/vgi.yaml" 123456789 --name "Example Charging Co." 2>&1)
check "peer add prints the keys to hand over" 0 $? "$out" "SigSecret:"
check "master key is 0600" 0 0 "$(stat -c %a "$work/var/master.key")" "600"
out=$("$vgi" peer add -c "$work/vgi.yaml" 123456789 --name again 2>&1)
check "peer add twice" 1 $? "$out" "exists"
out=$("$vgi" peer list -c "$work/vgi.yaml" 2>&1)
check "peer list" 0 $? "$out" "Example Charging Co."
out=$("$vgi" peer show -c "$work/vgi.yaml" 123456789 2>&1)
check "peer show masks secrets" 0 $? "$out" "SigSecret set (64 chars)"
out=$("$vgi" peer rotate -c "$work/vgi.yaml" 123456789 --overlap 1h 2>&1)
check "peer rotate" 0 $? "$out" "stay valid for 1h"
out=$("$vgi" peer show -c "$work/vgi.yaml" 123456789 2>&1)
check "rotation keeps the old set" 0 $? "$out" "Inbound keys #2 (valid until"
out=$("$vgi" peer disable -c "$work/vgi.yaml" 123456789 2>&1)
check "peer disable" 0 $? "$out" "tokens are revoked"
out=$("$vgi" peer show -c "$work/vgi.yaml" 999999999 2>&1)
check "unknown peer" 1 $? "$out" "does not exist"
chmod 644 "$work/var/master.key"
out=$("$vgi" peer list -c "$work/vgi.yaml" 2>&1)
check "readable master key refused" 1 $? "$out" "chmod 600"
chmod 600 "$work/var/master.key"

# vgi task / outbox / alarm on the same store (no server: the command waits in the outbox).
start=$(date -u -d '+9 hours' '+%Y-%m-%d %H:%M')   # Beijing time, an hour ahead
end=$(date -u -d '+9 hours 30 minutes' '+%Y-%m-%d %H:%M')
if [ "${start%% *}" != "${end%% *}" ]; then  # it would cross midnight, which a demand window may not
  start="${end%% *} 01:00"; end="${end%% *} 01:30"
fi
out=$("$vgi" task send -c "$work/vgi.yaml" --operator 123456789 --regulation-id REG-CLI-1 --window "150.5,$start,$end" 2>&1)
check "task send queues a command" 0 $? "$out" "queued outbox #1: send_task (send)"
out=$("$vgi" outbox list -c "$work/vgi.yaml" --state pending 2>&1)
check "outbox list shows it pending" 0 $? "$out" "REG-CLI-1"
out=$("$vgi" task change -c "$work/vgi.yaml" --operator 123456789 --of REG-CLI-1 --regulation-id REG-CLI-2 \
  --window "100,$start,$end" 2>&1)
check "task change" 0 $? "$out" "send_task (change)"
out=$("$vgi" task cancel -c "$work/vgi.yaml" --operator 123456789 --of REG-CLI-9 2>&1)
check "task cancel of an unknown instruction" 1 $? "$out" "no instruction REG-CLI-9"
out=$("$vgi" task send -c "$work/vgi.yaml" --operator 123456789 --window "100,2020-01-01 10:00,2020-01-01 11:00" 2>&1)
check "task send in the past is refused" 1 $? "$out" "never sent late"
out=$("$vgi" task send -c "$work/vgi.yaml" --operator 123456789 --window "lots,$start,$end" 2>&1)
check "task send with a bad window" 2 $? "$out" "expected KW,yyyy-MM-dd HH:mm"
out=$("$vgi" outbox list -c "$work/vgi.yaml" --state lost 2>&1)
check "outbox list with a bad state" 2 $? "$out" "pending, sent, failed or dead"
out=$("$vgi" task query -c "$work/vgi.yaml" --operator 123456789 --of REG-CLI-1 2>&1)
check "task query" 0 $? "$out" "query_task_result for regulationID REG-CLI-1"
out=$("$vgi" outbox show -c "$work/vgi.yaml" 1 2>&1)
check "outbox show" 0 $? "$out" '"regulationID":"REG-CLI-1"'
out=$("$vgi" outbox show -c "$work/vgi.yaml" 99 2>&1)
check "outbox show unknown" 1 $? "$out" "no outbox command #99"
out=$("$vgi" alarm list -c "$work/vgi.yaml" 2>&1)
check "alarm list" 0 $? "$out" "LEVEL"
out=$("$vgi" task --help 2>&1)
check "task help" 0 $? "$out" "cancel"

# vgi demand / settlement on the same store (no server: the demand waits as a draft).
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --window "500,2020-01-01 10:00,2020-01-01 10:59" 2>&1)
check "demand create in the past names the field" 2 $? "$out" "windows[0].start: 2020-01-01 10:00 has passed"
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --window "lots,$start,$end" 2>&1)
check "demand create with a bad window" 2 $? "$out" "expected KW,yyyy-MM-dd HH:mm,yyyy-MM-dd HH:mm"
out=$("$vgi" demand create -c "$work/vgi.yaml" --type up --window "500,$start,$end" 2>&1)
check "demand create with a bad type" 2 $? "$out" "--type: must be peak"
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --scope areas --id 12x --window "500,$start,$end" 2>&1)
check "demand create with a bad area" 2 $? "$out" "scope.ids[0]"
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --scope areas --id 1201 --window "500,$start,$end" \
  --task-id D-CLI-1 --note "evening peak" 2>&1)
check "demand create" 0 $? "$out" "created demand D-CLI-1 (draft)"
out=$("$vgi" demand create -c "$work/vgi.yaml" --window "500,$start,$end" --task-id D-CLI-1 2>&1)
check "demand create twice" 1 $? "$out" "D-CLI-1"
out=$("$vgi" demand list -c "$work/vgi.yaml" --state draft 2>&1)
check "demand list shows the draft" 0 $? "$out" "D-CLI-1"
check "demand list columns" 0 0 "$out" "draft"
out=$("$vgi" demand list -c "$work/vgi.yaml" --state lost 2>&1)
check "demand list with a bad state" 2 $? "$out" "draft, dispatched, done or cancelled"
out=$("$vgi" demand show -c "$work/vgi.yaml" D-CLI-1 2>&1)
check "demand show" 0 $? "$out" "demand D-CLI-1: draft"
check "demand show coverage" 0 0 "$out" "uncovered 500.00 kW"
check "demand show note" 0 0 "$out" "note: evening peak"
out=$("$vgi" demand show -c "$work/vgi.yaml" D-NONE 2>&1)
check "demand show unknown" 1 $? "$out" "no demand D-NONE"
out=$("$vgi" demand change -c "$work/vgi.yaml" D-CLI-1 --window "400,$start,$end" 2>&1)
check "demand change" 0 $? "$out" "changed demand D-CLI-1: 1 window(s)"
out=$("$vgi" demand show -c "$work/vgi.yaml" D-CLI-1 2>&1)
check "demand show after the change" 0 $? "$out" "uncovered 400.00 kW"
out=$("$vgi" demand cancel -c "$work/vgi.yaml" D-CLI-1 </dev/null 2>&1)
check "demand cancel asks for --yes off a terminal" 2 $? "$out" "add --yes"
out=$("$vgi" demand cancel -c "$work/vgi.yaml" D-CLI-1 --yes --reason "not needed" 2>&1)
check "demand cancel" 0 $? "$out" "demand D-CLI-1 is cancelled"
out=$("$vgi" demand list -c "$work/vgi.yaml" --state cancelled 2>&1)
check "demand list shows it cancelled" 0 $? "$out" "D-CLI-1"
out=$("$vgi" demand change -c "$work/vgi.yaml" D-CLI-1 --window "400,$start,$end" 2>&1)
check "demand change of a cancelled demand" 1 $? "$out" "D-CLI-1 is cancelled"
out=$("$vgi" demand list -c "$work/vgi.yaml" --state draft 2>&1)
if grep -qF D-CLI-1 <<<"$out"; then check "cancelled demand is no longer a draft" 0 1; else passed=$((passed + 1)); fi
out=$("$vgi" settlement statement -c "$work/vgi.yaml" --daily 2>&1)
check "settlement statement on an empty store" 0 $? "$out" "EARNINGS"

check "settlement statement has no rows" 0 0 "$out" "(no settlements in the range)"

# vgi db fold: only PostgreSQL keeps power pending (store_pgtest covers the fold itself).
out=$("$vgi" db fold -c "$work/vgi.yaml" 2>&1)
check "db fold on SQLite" 0 $? "$out" "nothing to fold: the sqlite store writes power straight into its hour rows"
out=$("$vgi" db fold 2>&1)
check "db fold without a config" 2 $? "$out" "--config is required"
out=$("$vgi" db --help 2>&1)
check "db help" 0 $? "$out" "fold"

# vgi topology: import (checked against the models), list, export, and demands scoped by it.
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --scope transformer-areas --id T1 --window "500,$start,$end" 2>&1)
check "demand on transformer areas without a topology" 2 $? "$out" "the grid topology is empty"
printf 'operator_id,station_code,market_id,transformer_area_id\n123456789,S1,M1,T1\n123456789,S2,M 1,T1\n' >"$work/bad.csv"
out=$("$vgi" topology import -c "$work/vgi.yaml" "$work/bad.csv" 2>&1)
check "topology import names the bad line" 2 $? "$out" 'line 3: market_id: "M 1" is not 1..64 characters'
"$vgi" topology simulate --operators 2 --stations 5 >"$work/topo.csv"
check "topology simulate" 0 $? "$(head -2 "$work/topo.csv")" "SIM000001,SIM000001S0001,M"
out=$("$vgi" topology import -c "$work/vgi.yaml" "$work/topo.csv" --dry-run 2>&1)
check "topology import dry run" 0 $? "$out" "dry run: nothing imported"
check "topology import warns of operators that are no peers" 0 0 "$out" "SIM000001 is not a peer"
out=$("$vgi" topology list -c "$work/vgi.yaml" 2>&1)
check "topology list before the import" 0 $? "$out" "no topology imported yet"
out=$("$vgi" topology import -c "$work/vgi.yaml" "$work/topo.csv" 2>&1)
check "topology import" 0 $? "$out" "imported as topology version 1"
check "topology import counts" 0 0 "$out" "10 stations of 2 operators"
out=$("$vgi" topology list -c "$work/vgi.yaml" --kind transformer-areas 2>&1)
check "topology list" 0 $? "$out" "TRANSFORMER AREA"
area=$(awk -F, 'NR == 2 { print $4 }' "$work/topo.csv")
"$vgi" topology export -c "$work/vgi.yaml" >"$work/export.csv"
check "topology export round-trips the import" 0 $? "$(cmp "$work/topo.csv" "$work/export.csv" && echo same)" "same"
out=$("$vgi" topology export -c "$work/vgi.yaml" --transformer-area "$area" 2>&1)
check "topology export by transformer area" 0 $? "$out" ",$area"
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --scope transformer-areas --id T-NONE --window "500,$start,$end" 2>&1)
check "demand on an unknown transformer area" 2 $? "$out" 'scope.ids[0]: "T-NONE" is no transformer area of the grid topology'
out=$("$vgi" demand create -c "$work/vgi.yaml" --type peak --scope transformer-areas --id "$area" --window "500,$start,$end" --task-id D-CLI-TA 2>&1)
check "demand on a transformer area" 0 $? "$out" "scope transformer-areas $area"
out=$("$vgi" audit list -c "$work/vgi.yaml" 2>&1)
check "topology import is audited" 0 $? "$out" "topology.import"
out=$("$vgi" settlement statement -c "$work/vgi.yaml" --monthly --csv 2>&1)
check "settlement statement csv header" 0 $? "$out" "operator,period,instructions,periods"
check "settlement statement csv has only the header" 0 0 "$(wc -l <<<"$out" | tr -d ' ')" "1"
out=$("$vgi" settlement statement -c "$work/vgi.yaml" 2>&1)
check "settlement statement needs --daily or --monthly" 2 $? "$out" "exactly one of --daily or --monthly"
out=$("$vgi" settlement list -c "$work/vgi.yaml" --from 2026-13-01 2>&1)
check "settlement list with a bad date" 2 $? "$out" "--from \"2026-13-01\": expected yyyy-MM-dd"
out=$("$vgi" settlement list -c "$work/vgi.yaml" 2>&1)
check "settlement list" 0 $? "$out" "REGULATION"
for sub in "demand" "demand create" "demand list" "demand show" "demand change" "demand cancel" "settlement" \
  "settlement list" "settlement statement"; do
  # shellcheck disable=SC2086
  out=$("$vgi" $sub --help 2>&1)
  check "$sub help" 0 $? "$out" "--help"
done

# vgi potential on the same store (no station reports: nothing to sum).
out=$("$vgi" potential -c "$work/vgi.yaml" 2>&1)
check "potential on an empty store" 0 $? "$out" "OPERATOR      STATIONS"
check "potential total is 0" 0 0 "$(grep '^total' <<<"$out" | tr -s ' ')" "total 0 0.00 0.00 0.00"
out=$("$vgi" potential -c "$work/vgi.yaml" --by area --area-digits 2 --type valley 2>&1)
check "potential by area on an empty store" 0 $? "$out" "AREA"
out=$("$vgi" potential -c "$work/vgi.yaml" --curve 2>&1)
check "potential curve header" 0 $? "$(head -1 <<<"$out")" "minute,load_kw,down_kw,up_kw,stations"
out=$("$vgi" potential -c "$work/vgi.yaml" --area-digits 3 2>&1)
check "potential with a bad --area-digits" 2 $? "$out" "--area-digits"
out=$("$vgi" potential --help 2>&1)
check "potential help" 0 $? "$out" "--curve"

# vgi bench --scenario decompose on a tiny fleet (the full-size run is by hand: BENCHMARKS.md).
mkdir -p "$work/fleet"
printf 'server:\n  listen: "127.0.0.1:0"\ndata_dir: "var"\n' >"$work/fleet/vgi.yaml"
out=$("$vgi" bench --scenario decompose --operators 2 --stations 3 --stakes-per-station 2 --repeat 1 --quiet \
  --data-dir "$work/fleet/var" 2>&1)
check "bench decompose runs" 0 $? "$out" "summary scenario=decompose case=all"
check "bench decompose area case" 0 0 "$out" "case=areas-1201"
check "bench decompose writes one instruction per operator" 0 0 "$out" "instructions=2 stations_considered=6"
check "bench decompose market case: one instruction per operator, its 1201 stations" 0 0 \
  "$(grep 'case=markets-M1201' <<<"$out")" "instructions=2 stations_considered=4"
check "bench decompose transformer-area case" 0 0 "$(grep 'case=transformer-areas-6' <<<"$out")" "instructions=2"
# ... and leaves a fleet the potential view sums: 6 stations, 4 of them in 1201 (areas taken in turn).
out=$("$vgi" potential -c "$work/fleet/vgi.yaml" 2>&1)
check "potential sums every reporting station" 0 $? "$(grep '^total' <<<"$out" | tr -s ' ')" "total 6 "
check "potential by operator" 0 0 "$(grep '^600000002' <<<"$out" | tr -s ' ')" "600000002 3 "
out=$("$vgi" potential -c "$work/fleet/vgi.yaml" --by area --area-digits 4 2>&1)
check "potential by area" 0 $? "$(grep '^1201' <<<"$out" | tr -s ' ')" "1201 4 "
out=$("$vgi" potential -c "$work/fleet/vgi.yaml" --curve 2>&1)
check "potential curve counts every station" 0 $? "$(grep -E ',6$' <<<"$out" | head -1)" ",6"

# vgi bench --scenario measure on a tiny fleet, its windows on yesterday (Beijing): measured with
# the back-test off (a fleet this small has too few similar days for it).
yesterday=$(date -u -d '+8 hours -1 day' +%F)
out=$("$vgi" bench --scenario measure --operators 2 --stations 3 --stakes-per-station 2 --history-days 20 \
  --event-day "$yesterday" --no-accuracy-check --quiet 2>&1)
check "bench measure runs" 0 $? "$out" "summary scenario=measure case=all"
check "bench measure measures every operator" 0 0 "$out" "instructions=2 measured=2"
check "bench measure measures every station" 0 0 "$(grep 'case=areas-all' <<<"$out")" "instructions=6 measured=6"
check "bench measure measures the markets per operator" 0 0 "$(grep 'case=markets-all' <<<"$out")" \
  "instructions=2 measured=2"
out=$("$vgi" bench --scenario measure --operators 1 --stations 1 --history-days 2 --event-day 2020-01-01 2>&1)
check "bench measure refuses an event day outside the history" 2 $? "$out" "--event-day 2020-01-01: use yyyy-MM-dd, today or one of the 2 history days"

# vgi demo runs the grid and the simulator together for a few seconds.
out=$("$vgi" demo --duration 4 --status-every 2 --operators 2 --stations 5 --stakes 3 2>&1)
check "demo runs and reports" 0 $? "$out" "SIM000002 up"
check "demo stations synced" 0 0 "$out" "stations   5/5"
out=$("$vgi" sim --help 2>&1)
check "sim help" 0 $? "$out" "--grid-config"

# Console users and the audit log.
out=$(echo "Grid-Admin-2026!" | "$vgi" user add -c "$work/vgi.yaml" root --roles sysadmin --password-stdin 2>&1)
check "user add" 0 $? "$out" "user root: roles sysadmin; password set"
out=$(echo "Grid-Admin-2026!" | "$vgi" user add -c "$work/vgi.yaml" root --roles sysadmin --password-stdin 2>&1)
check "user add twice" 2 $? "$out" "user root exists"
out=$(echo "short" | "$vgi" user add -c "$work/vgi.yaml" bob --roles viewer --password-stdin 2>&1)
check "user add with a weak password" 2 $? "$out" "password: at least 10 characters are required"
out=$(echo "Grid-Viewer-2026!" | "$vgi" user add -c "$work/vgi.yaml" bob --roles viewer,auditor --password-stdin 2>&1)
check "user add breaking separation of duties" 2 $? "$out" "cannot be held by one account"
out=$("$vgi" user add -c "$work/vgi.yaml" bob --roles viewer </dev/null 2>&1)
check "user add without a terminal asks for --password-stdin" 2 $? "$out" "--password-stdin"
out=$("$vgi" user roles -c "$work/vgi.yaml" root --roles secadmin 2>&1)
check "user roles" 0 $? "$out" "roles secadmin"
out=$(echo "Grid-Admin-2027!" | "$vgi" user passwd -c "$work/vgi.yaml" root --password-stdin --must-change 2>&1)
check "user passwd" 0 $? "$out" "must change it at the next login"
out=$("$vgi" user roles -c "$work/vgi.yaml" nobody --roles viewer 2>&1)
check "user roles of an unknown user" 2 $? "$out" "no such user: nobody"
out=$("$vgi" user list -c "$work/vgi.yaml" 2>&1)
check "user list" 0 $? "$out" "secadmin"
# Four audited changes: the topology import, then user add, roles and passwd.
out=$("$vgi" audit verify -c "$work/vgi.yaml" 2>&1)
check "audit verify" 0 $? "$out" "audit log verified: 4 rows"
out=$("$vgi" audit list -c "$work/vgi.yaml" 2>&1)
check "audit list" 0 $? "$out" "user.roles user:root -> ok | roles secadmin"
if [ -f "$work/var/vgi.db" ]; then  # sqlite3: scripts/install-deps.sh
  sqlite3 "$work/var/vgi.db" "UPDATE audit_log SET result='refused' WHERE seq=2"
  out=$("$vgi" audit verify -c "$work/vgi.yaml" 2>&1)
  check "audit verify finds an edited row" 1 $? "$out" "audit log BROKEN at row 2: row 2: its hash does not match"
fi
out=$("$vgi" user --help 2>&1)
check "user help" 0 $? "$out" "passwd"

printf 'server:\n  listn: "127.0.0.1:0"\n' >"$work/bad.yaml"
out=$("$vgi" serve -c "$work/bad.yaml" 2>&1)
check "serve with a bad config names the key" 2 $? "$out" "server.listn: unknown key"
out=$("$vgi" serve --help 2>&1)
check "serve help" 0 $? "$out" "--config"
out=$("$vgi" peer --help 2>&1)
check "peer help" 0 $? "$out" "rotate"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
