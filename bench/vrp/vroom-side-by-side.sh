#!/bin/sh
# bench/vrp/vroom-side-by-side.sh BUILD — samlast next to VROOM (issue #6) on
# the 56 Solomon and the 60 Gehring–Homberger 200 instances, one thread each.
# VROOM is NOT built by this repository: point VROOM at a binary you built
# yourself (VROOM=/path/to/vroom).  Each instance is converted to VROOM JSON by
# vroom-solomon2json.py (times and distances x1000, see there), VROOM runs with
# `-t 1 -x 5` (it has no time limit of its own in this mode: its wall time is
# recorded), then samlast solves the original .txt with --time-limit equal to
# VROOM's wall time (at least 1 s), so both get the same budget.  Both plans
# are verified by `samlast check` on the original instance (unscaled Euclidean
# distance), and compared with the best-known values exactly as bench/vrp.sh
# does: Solomon, distance objective, distance-only BKS (row 2 of bks.csv);
# GH200, vehicles-then-distance (VROOM: fixed cost per vehicle), hierarchical
# BKS (row 1).  Environment: VROOM (required), VRP_DATA, VRP_SETS ("solomon
# gh200"), VRP_FILTER (grep pattern), VRP_SEED (1), OUT (per-instance CSV);
# SUMMARY=CSV only prints the summary table of an existing per-instance CSV
# (e.g. several runs concatenated).
set -u
summary() {
	echo "| set | class | solver | instances | all checked feasible | avg vehicles | avg BKS vehicles | avg gap % | avg time s | total distance |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	awk -F, '$1!="set" { for (p = 0; p < 2; p++) { k = $1" | "(p ? "all" : $2)" | "$4; n[k]++; g[k]+=$9; v[k]+=$5; bv[k]+=$7; t[k]+=$10; d[k]+=$6;
			if ($11!="FEASIBLE") bad[k]++ } }
		END { for (k in n) printf "| %s | %d | %s | %.2f | %.2f | %.2f | %.1f | %.2f |\n", k, n[k], bad[k] ? "NO (" bad[k] ")" : "yes", v[k]/n[k], bv[k]/n[k], g[k]/n[k], t[k]/n[k], d[k] }' "$1" | sort
}
if [ -n "${SUMMARY:-}" ]; then summary "$SUMMARY"; exit 0; fi
BUILD=${1:-build}
BIN=$BUILD/samlast
HERE=$(dirname "$0")
DATA=${VRP_DATA:-$HERE/../../../shared/data/vrp}
SETS=${VRP_SETS:-solomon gh200}
OUT=${OUT:-/tmp/vroom-sbs-$$.csv}
TMP=/tmp/vroom-sbs-$$
[ -n "${VROOM:-}" ] && [ -x "$VROOM" ] || { echo "vroom-side-by-side.sh: set VROOM=/path/to/vroom" >&2; exit 2; }
[ -x "$BIN" ] || { echo "vroom-side-by-side.sh: $BIN not built" >&2; exit 2; }
[ -d "$DATA" ] || { echo "vroom-side-by-side.sh: no data at $DATA" >&2; exit 2; }
echo "set,class,instance,solver,vehicles,distance,bks_vehicles,bks,gap_pct,time_s,check" > "$OUT"

bks() { awk -F, -v i="$2" -v r="$3" '$1==i { n++; if (n==r) { print $2, $3; exit } }' "$1/bks.csv"; }
now() { date +%s.%N; }

row() { # set class name solver obj file solution time bksrow dir
	chk=$("$BIN" check "$6" "$7" --objective "$5" 2>/dev/null)
	ok=$(echo "$chk" | awk '{print $1}')
	veh=$(echo "$chk" | sed -n 's/.*vehicles=\([0-9]*\).*/\1/p')
	dist=$(echo "$chk" | sed -n 's/.*distance=\([0-9.]*\).*/\1/p')
	b=$(bks "${10}" "$3" "$9")
	g=$(awk -v d="$dist" -v b="${b#* }" 'BEGIN{ if (d == "") print ""; else printf "%.2f", 100*(d-b)/b }')
	echo "$1,$2,$3,$4,$veh,$dist,${b% *},${b#* },$g,$8,${ok:-CHECK-FAILED}" >> "$OUT"
}

run() { # set dir file objective bksrow class fixedcost
	set_=$1 dir=$2 f=$3 obj=$4 brow=$5 cls=$6 fixed=$7
	name=$(basename "$f" .txt)
	python3 "$HERE/vroom-solomon2json.py" "$f" --fixed-cost "$fixed" > "$TMP.in.json" || return
	t0=$(now)
	"$VROOM" -i "$TMP.in.json" -t 1 -x 5 -o "$TMP.vroom.json" 2>/dev/null
	t1=$(now)
	tv=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	row "$set_" "$cls" "$name" vroom "$obj" "$f" "$TMP.vroom.json" "$tv" "$brow" "$dir"
	tl=$(awk -v t="$tv" 'BEGIN{ printf "%.1f", t < 1 ? 1 : t }')
	t0=$(now)
	"$BIN" solve "$f" --time-limit "$tl" --objective "$obj" --seed "${VRP_SEED:-1}" \
		--threads 1 --output "$TMP.sl.json" 2>/dev/null
	t1=$(now)
	row "$set_" "$cls" "$name" samlast "$obj" "$f" "$TMP.sl.json" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')" "$brow" "$dir"
}

for s in $SETS; do
	case $s in
	solomon) for f in "$DATA"/solomon/*.txt; do
			n=$(basename "$f" .txt); echo "$n" | grep -q "${VRP_FILTER:-.}" || continue
			run solomon "$DATA/solomon" "$f" distance 2 "$(echo "$n" | sed 's/[0-9][0-9]$//')" 0
		done ;;
	gh200) for f in "$DATA"/homberger_200/*.txt; do
			n=$(basename "$f" .txt); echo "$n" | grep -q "${VRP_FILTER:-.}" || continue
			run gh200 "$DATA/homberger_200" "$f" vehicles-then-distance 1 "$(echo "$n" | cut -d_ -f1-2)" 100000000
		done ;;
	esac
done
rm -f "$TMP.in.json" "$TMP.vroom.json" "$TMP.sl.json"
summary "$OUT"
echo
echo "per-instance rows: $OUT"
