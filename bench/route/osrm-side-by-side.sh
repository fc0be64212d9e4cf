#!/bin/sh
# bench/route/osrm-side-by-side.sh BUILD — samlast's routing engine next to
# OSRM (issue #5) on the same extracts, the same points and the same client.
#
# OSRM is NOT built by this repository: point OSRM_BIN at a directory holding
# osrm-extract, osrm-contract and osrm-routed that you built yourself, and
# OSRM_PROFILE at the car.lua of that OSRM version (its profiles/ directory,
# with lib/ beside it).  samlast uses its own car profile (data/profiles/).
#
# Per extract (OSM_EXTRACTS, default "monaco andorra" from ../shared/data/osm):
#   1. preprocessing, RUNS times each (median): `samlast graph build --profile
#      car` against `osrm-extract -p car.lua` + `osrm-contract` (OSRM's CH
#      pipeline, --threads OSRM_THREADS, default 1 — samlast's build is one
#      thread), wall and CPU (user+sys) from /usr/bin/time, peak RSS the larger
#      of the two OSRM steps;
#   2. queries over HTTP: `samlast serve --graph` and `osrm-routed --algorithm
#      ch --max-table-size 1000 --threads 1`, each measured by
#      bench/route/http_peer_bench.py with the same seed, the same snapped
#      points (samlast's /nearest snaps the random points first; OSRM gets
#      that file) and so the same pairs, one request at a time, twice: a new
#      connection per request (as VROOM and curl do) and one keep-alive
#      connection;
#   3. agreement: for the same pairs, the median and 90th percentile of
#      |samlast / OSRM - 1| for duration and distance (the two car profiles
#      differ in speeds and turn costs, so equal answers are not expected;
#      the figure shows they route the same network).
# Environment: OSRM_BIN, OSRM_PROFILE (required), OSM_DATA, OSM_EXTRACTS,
# RUNS (3), PAIRS (10000), KEEP_PAIRS (pairs of the keep-alive run, 1000: a
# server that stalls ~40 ms per request there would take minutes),
# OSRM_THREADS (1), WORK (a scratch directory).
set -eu
BUILD=${1:-build}
S=$BUILD/samlast
HERE=$(cd "$(dirname "$0")" && pwd)
OSM=${OSM_DATA:-$HERE/../../../shared/data/osm}
: "${OSRM_BIN:?set OSRM_BIN to a directory with osrm-extract, osrm-contract, osrm-routed}"
: "${OSRM_PROFILE:?set OSRM_PROFILE to OSRM's profiles/car.lua}"
RUNS=${RUNS:-3}
PAIRS=${PAIRS:-10000}
KEEP_PAIRS=${KEEP_PAIRS:-1000}
OT=${OSRM_THREADS:-1}
WORK=${WORK:-/tmp/osrm-side-by-side-$$}
mkdir -p "$WORK"
[ -x "$S" ] || { echo "osrm-side-by-side: $S not built" >&2; exit 2; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# tv FILE -> "wall cpu rss_mb" from a GNU time -v report
tv() {
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
		END { printf "%.3f %.3f %.1f\n", w, u + s, r / 1024 }' "$1"
}

bbox() {
	case $1 in
	monaco) echo 7.409,43.725,7.439,43.752 ;;
	andorra) echo 1.407,42.428,1.787,42.656 ;;
	liechtenstein) echo 9.471,47.048,9.636,47.270 ;;
	*) echo "osrm-side-by-side: no bounding box for $1" >&2; exit 2 ;;
	esac
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() { # URL
	i=0
	until curl -s -o /dev/null "$1"; do   # any HTTP answer: the server is up
		i=$((i + 1)); [ $i -lt 300 ] || { echo "osrm-side-by-side: $1 did not answer" >&2; exit 1; }
		sleep 0.1
	done
}

echo "| extract | engine | connection | preprocessing wall s (median of $RUNS) | CPU s | peak RSS MB | route median / p99 ms ($PAIRS pairs; keep-alive $KEEP_PAIRS) | table 100x100 ms | table 1000x1000 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for x in ${OSM_EXTRACTS:-monaco andorra}; do
	pbf=$OSM/$x.osm.pbf
	[ -f "$pbf" ] || { echo "osrm-side-by-side: $pbf missing, skipped" >&2; continue; }
	d=$WORK/$x
	mkdir -p "$d"
	: > "$d/s.pre"; : > "$d/o.pre"
	for r in $(seq "$RUNS"); do
		/usr/bin/time -v "$S" graph build --profile car "$pbf" -o "$d/s.graph" 2> "$d/s.time" > /dev/null
		tv "$d/s.time" >> "$d/s.pre"
		rm -f "$d"/o.osrm*
		cp "$pbf" "$d/o.osm.pbf"
		/usr/bin/time -v "$OSRM_BIN/osrm-extract" -p "$OSRM_PROFILE" -t "$OT" "$d/o.osm.pbf" > "$d/o.extract.log" 2> "$d/o.extract.time"
		/usr/bin/time -v "$OSRM_BIN/osrm-contract" -t "$OT" "$d/o.osrm" > "$d/o.contract.log" 2> "$d/o.contract.time"
		set -- $(tv "$d/o.extract.time") $(tv "$d/o.contract.time")
		echo "$1 $4 $2 $5 $3 $6" | awk '{ printf "%.3f %.3f %.1f\n", $1 + $2, $3 + $4, ($5 > $6 ? $5 : $6) }' >> "$d/o.pre"
	done

	sp=$(free_port)
	"$S" init --db "$d/s.db" > /dev/null
	"$S" serve --db "$d/s.db" --listen "127.0.0.1:$sp" --graph "$d/s.graph" > "$d/s.serve.log" 2>&1 &
	spid=$!
	op=$(free_port)
	"$OSRM_BIN/osrm-routed" --algorithm ch --max-table-size 1000 --threads 1 -i 127.0.0.1 -p "$op" "$d/o.osrm" > "$d/o.serve.log" 2>&1 &
	opid=$!
	trap 'kill $spid $opid 2> /dev/null || true' EXIT
	wait_http "http://127.0.0.1:$sp/nearest/v1/car/$(bbox "$x" | cut -d, -f1,2)"
	wait_http "http://127.0.0.1:$op/nearest/v1/car/$(bbox "$x" | cut -d, -f1,2)"
	python3 "$HERE/http_peer_bench.py" --url "http://127.0.0.1:$sp" --bbox "$(bbox "$x")" --pairs "$PAIRS" \
		--snap-to-file "$d/points.txt" --dump "$d/s.dump" --close > "$d/s.close.http"
	python3 "$HERE/http_peer_bench.py" --url "http://127.0.0.1:$op" --bbox "$(bbox "$x")" --pairs "$PAIRS" \
		--points "$d/points.txt" --dump "$d/o.dump" --close > "$d/o.close.http"
	python3 "$HERE/http_peer_bench.py" --url "http://127.0.0.1:$sp" --bbox "$(bbox "$x")" --pairs "$KEEP_PAIRS" \
		--points "$d/points.txt" > "$d/s.keep.http"
	python3 "$HERE/http_peer_bench.py" --url "http://127.0.0.1:$op" --bbox "$(bbox "$x")" --pairs "$KEEP_PAIRS" \
		--points "$d/points.txt" > "$d/o.keep.http"
	kill $spid $opid 2> /dev/null || true
	wait $spid $opid 2> /dev/null || true
	trap - EXIT

	for e in s o; do
		name=samlast; [ $e = o ] && name="OSRM (CH)"
		w=$(awk '{print $1}' "$d/$e.pre" | median)
		c=$(awk '{print $2}' "$d/$e.pre" | median)
		m=$(awk '{print $3}' "$d/$e.pre" | median)
		for mode in close keep; do
			h=$d/$e.$mode.http
			rt=$(awk -F'|' '/route overview/ { gsub(/ /, "", $4); gsub(/ /, "", $5); print $4 " / " $5 }' "$h")
			t1=$(awk -F'|' '/table 100x100 / { gsub(/ /, "", $4); print $4 }' "$h")
			t2=$(awk -F'|' '/table 1000x1000/ { gsub(/ /, "", $4); print $4 }' "$h")
			conn="new per request"; [ $mode = keep ] && conn=keep-alive
			echo "| $x | $name | $conn | $w | $c | $m | $rt | $t1 | $t2 |"
		done
	done
	# agreement of the answers on the same pairs
	paste -d' ' "$d/s.dump" "$d/o.dump" | awk -v x="$x" '
		$3 != "-" && $7 != "-" && $7 > 0 && $8 > 0 {
			n++; dd[n] = ($3 / $7 > 1) ? $3 / $7 - 1 : 1 - $3 / $7; ds[n] = ($4 / $8 > 1) ? $4 / $8 - 1 : 1 - $4 / $8
			rd[n] = $3 / $7; rs[n] = $4 / $8 }
		$3 == "-" && $7 != "-" { so++ } $3 != "-" && $7 == "-" { oo++ }
		END { printf "%s %d %d %d\n", x, n, so + 0, oo + 0
			for (i = 1; i <= n; i++) print "D", dd[i] "\nS", ds[i] "\nR", rd[i] "\nT", rs[i] }' > "$d/agree"
	set -- $(head -1 "$d/agree")
	q() { grep "^$1 " "$d/agree" | awk '{print $2}' | sort -g | awk -v p="$2" -v f="${3:-100}" '{a[NR]=$1} END { i = int(p * NR); if (i < 1) i = 1; printf "%.3g", f * a[i] }'; }
	echo
	echo "$x: answers on the same $2 pairs (both Ok): |samlast/OSRM - 1| of the duration median $(q D 0.5) %, p90 $(q D 0.9) %; of the distance median $(q S 0.5) %, p90 $(q S 0.9) %; median ratio samlast/OSRM duration $(q R 0.5 1), distance $(q T 0.5 1); only OSRM answered $3, only samlast $4"
	echo
done
echo
echo "scratch files (graphs, logs, answers): $WORK"
