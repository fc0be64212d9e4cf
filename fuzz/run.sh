#!/bin/sh
# Run every built fuzz target for a while: fuzz/run.sh BUILD [SECONDS]
# Corpora: fuzz/corpus/<name> seeds (committed) and BUILD/fuzz/work-<name>
# (grown locally).  Crashes are left as crash-* files in the current folder.
set -e
build=$1
secs=${2:-30}
found=0
for t in $(find "$build/fuzz" -type f -name 'fuzz_*' -perm -u+x | sort); do
	found=1
	name=$(basename "$t")
	short=${name#fuzz_}
	work="$build/fuzz/work-$name"
	mkdir -p "$work"
	seeds=""
	[ -d "fuzz/corpus/$short" ] && seeds="fuzz/corpus/$short"
	echo "fuzz: $name for ${secs}s"
	SL_FIXTURES=tests/fixtures SAMLAST_DATA=data \
		"$t" -max_total_time="$secs" -print_final_stats=1 "$work" $seeds 2>&1 | tail -3
done
[ $found = 1 ] || { echo "fuzz: no targets built in $build/fuzz"; exit 1; }
