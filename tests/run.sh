#!/usr/bin/env bash
# Runs every test suite: unit tests (cmocka, in TAP), the BPF program tests
# (BPF_PROG_TEST_RUN) and the end-to-end tests on the namespace lab. Each
# prints PASS/FAIL/SKIP lines; the last line is the total, "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=.output/tests

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka's TAP lines ("ok 3 - test_name") as PASS/FAIL lines.
run_unit() {
	local bin=$1 suite
	suite=$(basename "$bin")
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1 | sed -nE \
		-e "s/^ok [0-9]+ - (.*)/PASS: unit: ${suite#test_}: \1/p" \
		-e "s/^not ok [0-9]+ - (.*)/FAIL: unit: ${suite#test_}: \1/p" \
		-e 's/^#(.*)/   \1/p'
	# A crash before any TAP line must still count as a failure.
	[[ ${PIPESTATUS[0]} -lt 128 ]] || echo "FAIL: unit: ${suite#test_}: crashed"
}

{
	echo "== unit tests"
	for bin in "$OUT"/test_*; do
		run_unit "$bin"
	done
	echo "== BPF program tests"
	if [[ $EUID == 0 ]]; then
		"$OUT/bpf_prog_test" | grep -v ' passed, .* failed$'
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
