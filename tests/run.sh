#!/usr/bin/env bash
# Runs every test suite: the format check, unit tests (cmocka, in TAP, also under ASan and
# UBSan), short fuzz runs, the BPF program tests (BPF_PROG_TEST_RUN), the
# differential test against the reference model and the end-to-end tests on
# the namespace lab. Each prints PASS/FAIL/SKIP lines; the last line is the
# total, "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=.output/tests

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka's TAP lines ("ok 3 - test_name") as PASS/FAIL lines; a sanitizer's
# report (ASan, UBSan, LeakSanitizer) fails the suite.
run_unit() {
	local bin=$1 kind=$2 suite out rc
	suite=$(basename "$bin")
	suite=${suite#asan_}
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	sed -nE -e "s/^ok [0-9]+ - (.*)/PASS: $kind: ${suite#test_}: \1/p" \
		-e "s/^not ok [0-9]+ - (.*)/FAIL: $kind: ${suite#test_}: \1/p" <<<"$out"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$out"; then
		echo "FAIL: $kind: ${suite#test_}: sanitizer report"
		grep -E 'ERROR:|runtime error:|SUMMARY' <<<"$out" | head -5 | sed 's/^/    /'
	elif ((rc >= 128)); then
		echo "FAIL: $kind: ${suite#test_}: crashed ($rc)"
	fi
}

{
	echo "== format (clang-format against .clang-format)"
	if out=$(tools/format.sh check 2>&1); then
		echo "PASS: format: $out"
	else
		echo "FAIL: format: $(head -1 <<<"$out")"
		tail -n +2 <<<"$out" | head -10 | sed 's/^/    /'
	fi
	echo "== unit tests"
	for bin in "$OUT"/test_*; do
		run_unit "$bin" unit
	done
	echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	for bin in "$OUT"/asan_test_*; do
		run_unit "$bin" unit-asan
	done
	echo "== fuzzing the parsers of outside input, briefly (make fuzz for longer)"
	tests/fuzz/run.sh 3
	echo "== BPF program tests"
	if [[ $EUID == 0 ]]; then
		"$OUT/bpf_prog_test" | grep -v ' passed, .* failed$'
		"$OUT/assist_test" | grep -v ' passed, .* failed$'
		echo "== differential test of the BPF decision against the reference model"
		"$OUT/bpf_diff" --frames 20000 --seed 1
	else
		echo "SKIP: bpf: needs root to load BPF programs"
	fi
	echo "== end-to-end tests"
	tests/e2e.sh
} 2>&1 | tee "$log"

passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
skipped=$(grep -c '^SKIP: ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed == 0 ]]
