#!/bin/sh
# bench/ledger/run.sh — time `samlast import` on synthetic and demo data.
#
#   bench/ledger/run.sh [BUILD [WORKDIR]]     (from the source root)
#
# BUILD (default: build) must hold samlast and bench/ledger/gen_deliveries.
# Environment: N1 (default 1000000) rows for the repeated run (median of 3,
# fresh database each time), N10 (default 10000000) rows for the single large
# run (N10=0 skips it), DEMO=0 skips the demo-year import.
# Every measurement prints wall seconds, rows/s, CPU seconds, peak RSS (from
# /usr/bin/time -v) and the load average at its start (the machine is shared).
# Master data (organisations, sites, vehicles) is imported untimed first.
set -eu
BUILD=${1:-build}
WORK=${2:-/tmp/samlast-bench-ledger-$$}
N1=${N1:-1000000}
N10=${N10:-10000000}
DEMO=${DEMO:-1}
SAMLAST=$BUILD/samlast
GEN=$BUILD/bench/ledger/gen_deliveries
[ -x "$SAMLAST" ] && [ -x "$GEN" ] || { echo "run.sh: build $SAMLAST and $GEN first" >&2; exit 2; }
mkdir -p "$WORK"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
# the binary's own build time: HEAD may have moved on since it was built
echo "samlast: $SAMLAST, built $(date -u -r "$SAMLAST" '+%Y-%m-%d %H:%M UTC'); HEAD now $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

load() { cut -d' ' -f1-3 /proc/loadavg; }

# timed CMD...: run under /usr/bin/time -v; sets WALL (s), CPU (user + system
# s: less sensitive than WALL to other load on a shared machine) and RSS (MiB)
timed() {
	/usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || {
		cat "$WORK/err.txt" >&2
		exit 3
	}
	WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time.txt")
	RSS=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt" | awk '{ printf "%.0f", $1 / 1024 }')
}

fresh_db() { # DIR: a new database with the set's master data
	rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
	"$SAMLAST" init --db "$WORK/bench.db" > /dev/null
	for k in organisations sites vehicles; do
		"$SAMLAST" import --db "$WORK/bench.db" --kind $k "$1/$k.csv" > /dev/null
	done
}

deliveries() { # N RUNS
	dir="$WORK/set-$1"
	mkdir -p "$dir"
	[ -s "$dir/deliveries.csv" ] || "$GEN" "$1" "$dir"
	walls=""
	for run in $(seq 1 "$2"); do
		fresh_db "$dir"
		l=$(load)
		timed "$SAMLAST" import --db "$WORK/bench.db" --kind deliveries "$dir/deliveries.csv"
		echo "deliveries N=$1 run $run: ${WALL} s, $(awk "BEGIN { printf \"%.0f\", $1 / $WALL }") rows/s, CPU ${CPU} s ($(awk "BEGIN { printf \"%.0f\", $1 / $CPU }") rows per CPU-s), peak RSS ${RSS} MiB, load $l; $(cat "$WORK/out.txt")"
		walls="$walls $WALL"
	done
	med=$(echo $walls | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	echo "deliveries N=$1: median ${med} s over $2 run(s) = $(awk "BEGIN { printf \"%.0f\", $1 / $med }") rows/s"
	rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
}

deliveries "$N1" 3
[ "$N10" -gt 0 ] && deliveries "$N10" 1 && rm -rf "$WORK/set-$N10"

if [ "$DEMO" = 1 ]; then
	"$SAMLAST" demo-data --seed 1 --out "$WORK/demo" > /dev/null
	rm -f "$WORK/demo.db"
	"$SAMLAST" init --db "$WORK/demo.db" > /dev/null
	total=0
	for k in organisations sites contracts vehicles trips orders deliveries; do
		rows=$(($(wc -l < "$WORK/demo/$k.csv") - 1))
		l=$(load)
		timed "$SAMLAST" import --db "$WORK/demo.db" --kind $k "$WORK/demo/$k.csv"
		echo "demo $k: $rows rows in ${WALL} s, CPU ${CPU} s, peak RSS ${RSS} MiB, load $l; $(cat "$WORK/out.txt")"
		total=$(awk "BEGIN { print $total + $WALL }")
	done
	echo "demo year: all kinds in ${total} s; database $(du -m "$WORK/demo.db" | cut -f1) MiB"
fi
