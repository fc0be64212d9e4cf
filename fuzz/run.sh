#!/bin/sh
# Run every built fuzz target for a few seconds each: fuzz/run.sh BUILD SECONDS
set -e
build=$1; secs=${2:-30}
found=0
for t in "$build"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	found=1
	name=$(basename "$t")
	corpus="fuzz/corpus/${name#fuzz_}"
	mkdir -p "$build/fuzz/work-$name"
	echo "fuzz: $name for ${secs}s"
	"$t" -max_total_time="$secs" -print_final_stats=1 "$build/fuzz/work-$name" $( [ -d "$corpus" ] && echo "$corpus" )
done
[ $found = 1 ] || { echo "fuzz: no targets built"; exit 1; }
