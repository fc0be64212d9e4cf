#!/bin/sh
# recompute.sh — time `samlast emissions recompute` over a copy of a database
# (default: the demo city, demo.db) RUNS times and print the median wall time
# and trips/s, then the deliveries per quality flag of the result.
# Usage: bench/emissions/recompute.sh [SAMLAST] [DB] [RUNS] [full|stale]
# `stale` first computes everything, waits a second, then times
# `recompute --stale` with nothing stale: the fixed cost an import pays.
set -eu
bin=${1:-build/samlast}
db=${2:-demo.db}
runs=${3:-5}
mode=${4:-full}
flag=
tmp=/tmp/sl_em_bench_$$.db
trap 'rm -f "$tmp" "$tmp-wal" "$tmp-shm"' EXIT
cp "$db" "$tmp"
trips=$(sqlite3 "$tmp" 'SELECT COUNT(*) FROM trips')
dels=$(sqlite3 "$tmp" 'SELECT COUNT(*) FROM deliveries')
if [ "$mode" = stale ]; then
	"$bin" emissions recompute --db "$tmp" > /dev/null
	sleep 1
	flag=--stale
fi
i=0
: > /tmp/sl_em_bench_times_$$
while [ $i -lt "$runs" ]; do
	s=$(date +%s.%N)
	"$bin" emissions recompute --db "$tmp" $flag > /dev/null
	e=$(date +%s.%N)
	echo "$e - $s" | bc >> /tmp/sl_em_bench_times_$$
	i=$((i + 1))
done
med=$(sort -n /tmp/sl_em_bench_times_$$ | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rm -f /tmp/sl_em_bench_times_$$
echo "mode=$mode trips=$trips deliveries=$dels runs=$runs median_s=$med trips_per_s=$(echo "$trips / $med" | bc)"
sqlite3 "$tmp" "SELECT 'quality=' || quality || ' deliveries=' || COUNT(*) FROM delivery_emissions GROUP BY quality ORDER BY quality"
