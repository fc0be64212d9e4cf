#!/bin/sh
# run.sh BUILD_DIR DB — wrk against samlast serve and the hello ceiling on
# loopback (64 connections, 2 threads, 10 s each), plus a streamed upload of
# the demo deliveries.  Copies DB to /tmp first; prints a Markdown table.
set -eu
B=${1:-build}; DB=${2:-demo.db}; DUR=${DUR:-10s}
W=/tmp/sl_bench_server_$$.db
cp "$DB" "$W"
TOK=$("$B/samlast" token create --db "$W" --role city 2>/dev/null)
ADM=$("$B/samlast" token create --db "$W" --role admin 2>/dev/null)
"$B/samlast" serve --db "$W" --listen 127.0.0.1:18701 --threads 2 >/dev/null 2>/dev/null &
SP=$!
"${HELLO:-$B/bench/server/bench_server_hello}" 18702 2 &
HP=$!
sleep 1
run() { # name url [token]
	if [ -n "${3:-}" ]; then H="Authorization: Bearer $3"; else H="X-None: 1"; fi
	wrk -t2 -c64 -d"$DUR" --latency -H "$H" "$2" > /tmp/sl_wrk_$$.txt
	rps=$(awk '/Requests\/sec/ {print $2}' /tmp/sl_wrk_$$.txt)
	p50=$(awk '$1=="50%" {print $2}' /tmp/sl_wrk_$$.txt)
	p99=$(awk '$1=="99%" {print $2}' /tmp/sl_wrk_$$.txt)
	echo "| $1 | $rps | $p50 | $p99 |"
}
K1="http://127.0.0.1:18701/api/v1/kpis?from=2025-03-03&to=2025-03-09&kpi=deliveries,small_order_share_pct"
K2="http://127.0.0.1:18701/api/v1/kpis"
# one uncached computation of each KPI query (also warms the answer cache)
for u in "$K1" "$K2"; do
	echo "uncached: $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOK" "$u")s $u"
done
curl -s -o /dev/null "$K2"
echo
echo "| endpoint | req/s | p50 | p99 |"
echo "|---|---|---|---|"
run "hello ceiling (bench_server_hello)" http://127.0.0.1:18702/
run "GET /healthz" http://127.0.0.1:18701/healthz
run "GET /api/v1/deliveries?limit=20 (city token)" "http://127.0.0.1:18701/api/v1/deliveries?limit=20" "$TOK"
run "GET /api/v1/kpis?from=2025-03-03&to=2025-03-09&kpi=deliveries,small_order_share_pct (city, cached)" "$K1" "$TOK"
run "GET /api/v1/kpis (public, whole year, all KPIs, cached)" "$K2" ""
if [ -f demo-data/deliveries.csv ]; then
	rows=$(($(wc -l < demo-data/deliveries.csv) - 1))
	# first upload inserts nothing new (same rows, idempotent): measures validation + lookups
	t=$(curl -s -o /tmp/sl_up_$$.json -w '%{time_total}' -H "Authorization: Bearer $ADM" -H 'Content-Type: text/csv' --data-binary @demo-data/deliveries.csv http://127.0.0.1:18701/api/v1/imports/deliveries)
	echo
	echo "upload of demo-data/deliveries.csv ($rows rows, unchanged): ${t}s = $(python3 -c "print(round($rows/$t))") rows/s"
	head -c 200 /tmp/sl_up_$$.json; echo
fi
kill -TERM $SP $HP; wait $SP $HP 2>/dev/null || true
rm -f "$W" "$W-wal" "$W-shm" /tmp/sl_wrk_$$.txt /tmp/sl_up_$$.json
