#!/usr/bin/env bash
# End-to-end tests: mtuguard on the namespace lab (tools/lab.sh) with real
# traffic from ping and iperf3. Each test builds its own lab, runs a watch in
# the node namespace, drives traffic, stops the watch and asserts on its JSON
# output, the kernel's state (bpftool, tc) and the pins. Prints PASS/FAIL/SKIP
# per test; everything it made is removed on exit, even on failure.
#
#   tests/e2e.sh [TEST_NAME...]     (all tests by default; run as root)
#
# The tests live in tests/e2e/, one file per section.
set -uo pipefail

# Every file of tests/e2e/ in order: lib.sh (setup, helpers), then one file
# per section (NN_name.sh), each defining test_* functions. A CNI adds its
# own file.
E2E_DIR=$(cd "$(dirname "$0")/e2e" && pwd)
# shellcheck source=e2e/lib.sh
source "$E2E_DIR/lib.sh"
for section in "$E2E_DIR"/[0-9][0-9]_*.sh; do
	# shellcheck source=/dev/null
	source "$section"
done

# --- runner -----------------------------------------------------------------

run_test() {
	local name=$1 rc
	"$ROOT/tools/lab.sh" down
	# A test on another lab (tools/lab_cni.sh) takes in that lab's names:
	# each test starts from the incident lab's.
	eval "$("$ROOT/tools/lab.sh" env)"
	rm -rf "$PIN" "$PIN2"
	"$name" >"$WORK/log" 2>&1
	rc=$?
	[[ -n $WATCH_PID ]] && kill -KILL "$WATCH_PID" 2>/dev/null && WATCH_PID=
	[[ -n $PROMETHEUS_PID ]] && kill -KILL "$PROMETHEUS_PID" 2>/dev/null && PROMETHEUS_PID=
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null 2>&1
	node "$MTUGUARD" detach --pin "$PIN2" >/dev/null 2>&1
	if [[ $rc == 0 ]]; then
		echo "PASS: e2e: ${name#test_}"
		grep '^    note: ' "$WORK/log"
	else
		echo "FAIL: e2e: ${name#test_}"
		sed 's/^/    /' "$WORK/log" | head -20
		[[ -s $WATCH_ERR ]] && sed 's/^/    watch: /' "$WATCH_ERR" | head -5
	fi
	return $rc
}

if [[ $EUID != 0 ]]; then
	echo "SKIP: e2e: needs root (namespaces, BPF)"
	exit 0
fi
[[ -x $MTUGUARD ]] || {
	echo "FAIL: e2e: $MTUGUARD is not built (make)"
	exit 1
}

tests=("$@")
if ((${#tests[@]} == 0)); then
	mapfile -t tests < <(declare -F | awk '{print $3}' | grep '^test_')
fi
status=0
for t in "${tests[@]}"; do
	run_test "$t" || status=1
done
exit $status
