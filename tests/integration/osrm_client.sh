#!/bin/sh
# tests/integration/osrm_client.sh — issue #5 "an OSRM client works against
# samlast serve": VROOM, a real OSRM v5 client, solves a small Monaco problem
# with `-r osrm` against `samlast serve --graph`, i.e. with samlast's /table
# durations and distances and (with -g) samlast's /route geometry.
# Checks: VROOM exits 0, assigns every job, every route has a geometry, and
# VROOM's total duration equals the sum, along its routes, of samlast's own
# /table durations rounded to whole seconds (what VROOM does with them).
# VROOM is not part of samlast: the test runs only when SAMLAST_VROOM points
# to a vroom binary and is skipped (exit 77) otherwise.  Needs SAMLAST_BIN,
# SL_SHARED_DATA (monaco.osm.pbf), curl and jq.
set -u
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$LOG" ] && sed 's/^/serve: /' "$LOG" | tail -20; exit 1; }
[ -n "${SAMLAST_VROOM:-}" ] || skip "SAMLAST_VROOM is not set (point it to a vroom binary to run this test)"
[ -x "$SAMLAST_VROOM" ] || skip "SAMLAST_VROOM=$SAMLAST_VROOM is not executable"
BIN=${SAMLAST_BIN:?SAMLAST_BIN not set}
PBF=${SL_SHARED_DATA:-../shared/data}/osm/monaco.osm.pbf
[ -r "$PBF" ] || skip "$PBF absent"
command -v curl >/dev/null || skip "curl not installed"
command -v jq >/dev/null || skip "jq not installed"

T=/tmp/sl-osrm-client-$$
LOG=$T.serve.log
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -f "$T".*; }
trap cleanup EXIT INT TERM

"$BIN" graph build --profile van "$PBF" -o "$T.graph" >/dev/null 2>&1 || fail "graph build"
"$BIN" init --db "$T.db" >/dev/null || fail "init"
"$BIN" serve --db "$T.db" --listen 127.0.0.1:0 --threads 2 --graph "$T.graph" > "$T.out" 2> "$LOG" &
PID=$!
PORT=
i=0
while [ $i -lt 100 ]; do
	PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$T.out" | head -1)
	[ -n "$PORT" ] && break
	kill -0 "$PID" 2>/dev/null || fail "samlast serve exited"
	sleep 0.1; i=$((i + 1))
done
[ -n "$PORT" ] || fail "samlast serve printed no port"

# A depot near the port, six stops spread over Monaco (lon, lat).
cat > "$T.problem.json" <<'JSON'
{"vehicles":[{"id":1,"profile":"van","start":[7.4197,43.7311],"end":[7.4197,43.7311],"capacity":[10]},
             {"id":2,"profile":"van","start":[7.4197,43.7311],"end":[7.4197,43.7311],"capacity":[10]}],
 "jobs":[{"id":1,"location":[7.4246,43.7384],"service":300,"delivery":[3]},
         {"id":2,"location":[7.4167,43.7289],"service":300,"delivery":[3]},
         {"id":3,"location":[7.4275,43.7445],"service":300,"delivery":[3]},
         {"id":4,"location":[7.4128,43.7262],"service":300,"delivery":[3]},
         {"id":5,"location":[7.4214,43.7360],"service":300,"delivery":[3]},
         {"id":6,"location":[7.4301,43.7468],"service":300,"delivery":[3]}]}
JSON
"$SAMLAST_VROOM" -r osrm -a van:127.0.0.1 -p van:"$PORT" -g -i "$T.problem.json" -o "$T.sol.json" 2> "$T.vroom.err" \
	|| fail "vroom exited $?: $(cat "$T.vroom.err" "$T.sol.json" 2>/dev/null)"
[ "$(jq -r .code "$T.sol.json")" = 0 ] || fail "vroom code $(jq -c . "$T.sol.json")"
[ "$(jq -r .summary.unassigned "$T.sol.json")" = 0 ] || fail "unassigned jobs: $(jq -c .unassigned "$T.sol.json")"
[ "$(jq '[.routes[] | select((.geometry // "") == "")] | length' "$T.sol.json")" = 0 ] || fail "a route without geometry"
vdur=$(jq .summary.duration "$T.sol.json")
[ "$vdur" -gt 0 ] || fail "zero duration"

# samlast's own table for the same points (depot first, then jobs 1..6).
coords=$(jq -r '[.vehicles[0].start] + [.jobs[].location] | map("\(.[0]),\(.[1])") | join(";")' "$T.problem.json")
curl -sf "http://127.0.0.1:$PORT/table/v1/van/$coords?annotations=duration,distance" > "$T.table.json" || fail "table request"
# Sum the rounded durations along each of VROOM's routes (index 0 = depot, job id = index).
want=$(jq -n --slurpfile s "$T.sol.json" --slurpfile t "$T.table.json" '
	def r: . + 0.5 | floor;
	[$s[0].routes[] | [.steps[] | if .type == "job" then .id else 0 end] as $p
	 | range(0; ($p | length) - 1) as $k | $t[0].durations[$p[$k]][$p[$k + 1]] | r] | add')
[ "$vdur" = "$want" ] || fail "VROOM duration $vdur, samlast /table along the same routes $want"
echo "ok: vroom -r osrm against samlast serve: $(jq '.routes | length' "$T.sol.json") routes, duration $vdur s (= samlast /table), geometry from /route"
echo "1 passed, 0 failed"
