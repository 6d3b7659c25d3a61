#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 5) from its seed corpus in
# tests/fuzz/corpus/<target>. New inputs go to a scratch directory, never into
# the committed corpus; a crash is kept under .output/fuzz/crashes/ to turn
# into a regression input. Prints PASS/FAIL per target.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-5}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p .output/fuzz/crashes
status=0
for bin in .output/fuzz/fuzz_*; do
	[[ $bin == *.d ]] && continue
	name=$(basename "$bin")
	mkdir -p "$scratch/$name"
	if "$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 \
		-artifact_prefix=".output/fuzz/crashes/$name-" "$scratch/$name" "tests/fuzz/corpus/$name" \
		>"$scratch/$name.log" 2>&1; then
		runs=$(grep -oE 'Done [0-9]+ runs' "$scratch/$name.log" | grep -oE '[0-9]+')
		echo "PASS: fuzz: $name: ${runs:-?} runs in ${seconds} s, no crash"
	else
		echo "FAIL: fuzz: $name"
		grep -E 'ERROR|SUMMARY|artifact' "$scratch/$name.log" | head -5 | sed 's/^/    /'
		status=1
	fi
done
exit $status
