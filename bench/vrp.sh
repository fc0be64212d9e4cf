#!/bin/sh
# bench/vrp.sh BUILD — the vrp benchmark: solve every instance with
# `samlast solve`, verify each solution with `samlast check` (the independent
# checker), and compare with the best-known value of the matching convention
# in ../shared/data/vrp/*/bks.csv.  Writes a Markdown table to stdout and
# per-instance rows to $OUT (default /tmp/vrp-bench-$$.csv).
# Environment: VRP_DATA (data dir), VRP_SETS ("solomon gh200 x"),
# VRP_T_SOLOMON (10 s), VRP_T_GH (10 s), VRP_T_X (60 s), VRP_FILTER (grep
# pattern on instance names), VRP_THREADS (1), VRP_SEED (1), VRP_ITERS
# (an iteration limit instead of the time limits: reproducible on a loaded
# machine), VRP_EXTRA (more solver options, e.g. --no-local-search).
set -u
BUILD=${1:-build}
BIN=$BUILD/samlast
DATA=${VRP_DATA:-$(dirname "$0")/../../shared/data/vrp}
SETS=${VRP_SETS:-solomon gh200 x}
OUT=${OUT:-/tmp/vrp-bench-$$.csv}
TMP=/tmp/vrp-bench-sol-$$
[ -x "$BIN" ] || { echo "vrp.sh: $BIN not built" >&2; exit 2; }
[ -d "$DATA" ] || { echo "vrp.sh: no data at $DATA" >&2; exit 2; }
echo "set,class,instance,vehicles,distance,bks_vehicles,bks,gap_pct,time_s,check,ref2,gap2_pct,iterations" > "$OUT"

# bks SET_DIR INSTANCE ROW  -> "vehicles distance" of the ROW-th row for INSTANCE
bks() { awk -F, -v i="$2" -v r="$3" '$1==i { n++; if (n==r) { print $2, $3; exit } }' "$1/bks.csv"; }

run() { # set dir file objective row time class [row2]
	set_=$1 dir=$2 f=$3 obj=$4 row=$5 tl=$6 cls=$7 row2=${8:-0}
	name=$(basename "$f"); name=${name%.*}
	t0=$(date +%s.%N)
	if [ -n "${VRP_ITERS:-}" ]; then lim="--iterations $VRP_ITERS"; else lim="--time-limit $tl"; fi
	# shellcheck disable=SC2086
	"$BIN" solve "$f" $lim --objective "$obj" --seed "${VRP_SEED:-1}" \
		--threads "${VRP_THREADS:-1}" ${VRP_EXTRA:-} --output "$TMP.json" 2>/dev/null || { echo "$set_,$cls,$name,,,,,,,solve-failed" >> "$OUT"; return; }
	t1=$(date +%s.%N)
	chk=$("$BIN" check "$f" "$TMP.json" --objective "$obj" 2>/dev/null)
	ok=$(echo "$chk" | awk '{print $1}')
	veh=$(echo "$chk" | sed 's/.*vehicles=\([0-9]*\).*/\1/')
	dist=$(echo "$chk" | sed 's/.*distance=\([0-9.]*\).*/\1/')
	b=$(bks "$dir" "$name" "$row")
	its=$(sed -n 's/.*"iterations":\([0-9]*\).*/\1/p' "$TMP.json")
	r2= g2=
	if [ "$row2" -gt 0 ]; then
		r2=$(bks "$dir" "$name" "$row2"); r2=${r2#* }
		g2=$(awk -v d="$dist" -v b="$r2" 'BEGIN{printf "%.2f", 100*(d-b)/b}')
	fi
	echo "$set_,$cls,$name,$veh,$dist,${b% *},${b#* },$(awk -v d="$dist" -v b="${b#* }" 'BEGIN{printf "%.2f", 100*(d-b)/b}'),$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}'),$ok,$r2,$g2,$its" >> "$OUT"
}

for s in $SETS; do
	case $s in
	solomon) for f in "$DATA"/solomon/*.txt; do
			n=$(basename "$f" .txt); echo "$n" | grep -q "${VRP_FILTER:-.}" || continue
			run solomon "$DATA/solomon" "$f" distance 2 "${VRP_T_SOLOMON:-10}" "$(echo "$n" | sed 's/[0-9][0-9]$//')" 3
		done ;;
	gh200) for f in "$DATA"/homberger_200/*.txt; do
			n=$(basename "$f" .txt); echo "$n" | grep -q "${VRP_FILTER:-.}" || continue
			run gh200 "$DATA/homberger_200" "$f" vehicles-then-distance 1 "${VRP_T_GH:-10}" "$(echo "$n" | cut -d_ -f1-2)"
		done ;;
	x) for f in "$DATA"/cvrplib_x/*.vrp; do
			n=$(basename "$f" .vrp); echo "$n" | grep -q "${VRP_FILTER:-.}" || continue
			run x "$DATA/cvrplib_x" "$f" distance 1 "${VRP_T_X:-60}" X
		done ;;
	esac
done
rm -f "$TMP.json"
echo "| set | class | instances | all checked feasible | avg vehicles | avg BKS vehicles | avg gap % | worst gap % | avg gap % vs 2nd reference | avg time s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -F, 'NR>1 { for (p = 0; p < 2; p++) { k = p ? $1" | all" : $1" | "$2; n[k]++; g[k]+=$8; v[k]+=$4; bv[k]+=$6; t[k]+=$9; g2[k]+=$12;
		if (!(k in w) || $8>w[k]) w[k]=$8; if ($10!="FEASIBLE") bad[k]++ } }
	END { for (k in n) printf "| %s | %d | %s | %.2f | %.2f | %.2f | %.2f | %s | %.1f |\n", k, n[k], bad[k] ? "NO (" bad[k] ")" : "yes", v[k]/n[k], bv[k]/n[k], g[k]/n[k], w[k], g2[k] == 0 ? "-" : sprintf("%.2f", g2[k]/n[k]), t[k]/n[k] }' "$OUT" | sort
echo
echo "per-instance rows: $OUT"
