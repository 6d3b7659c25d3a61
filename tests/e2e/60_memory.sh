# shellcheck shell=bash
# A whole watch under valgrind; the privileges kept after attaching.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

test_watch_under_valgrind_has_no_leak_or_invalid_access() {
	lab incident
	# A whole life under valgrind: start, alerts, a Pod that appears, a
	# metrics scrape, the flush and the summary at SIGINT.
	WATCH_WRAPPER=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
		--suppressions="$ROOT/tests/valgrind.supp" --log-file="$WORK/valgrind.log")
	WATCH_START_TIMEOUT=60 start_watch --metrics 127.0.0.1:19469 || return 1
	WATCH_WRAPPER=()
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	"$ROOT/tools/lab.sh" add-pod api 1500 10.77.0.13 fd77::13 >/dev/null
	wait_for 30 grep -q '"event":"pod_attached"' "$WATCH_OUT" || fail "no pod_attached under valgrind" || return 1
	node curl -sf -o /dev/null http://127.0.0.1:19469/metrics || fail "no metrics under valgrind" || return 1
	kill -INT "$WATCH_PID"
	wait_for 60 watch_exited || fail "the watch did not stop under valgrind" || return 1
	wait "$WATCH_PID"
	local rc=$?
	WATCH_PID=
	[[ $rc == 0 ]] || fail "exit $rc (99: valgrind found errors): $(grep -A6 -E '^==[0-9]+== [A-Z][a-z]' "$WORK/valgrind.log" | head -20)" || return 1
	grep -q 'ERROR SUMMARY: 0 errors' "$WORK/valgrind.log" &&
		grep -qE 'All heap blocks were freed|definitely lost: 0 bytes' "$WORK/valgrind.log" ||
		fail "valgrind: $(grep -E 'SUMMARY|lost' "$WORK/valgrind.log")" || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "alerts under valgrind: $(alerts)"
	note "valgrind: $(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$WORK/valgrind.log"), $(grep -oE 'in use at exit: [0-9,]+ bytes' "$WORK/valgrind.log")"
}

test_watch_keeps_only_what_it_needs_after_attaching() {
	lab incident
	start_watch --metrics 19470 || return 1
	local capeff
	capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$WATCH_PID/status")
	# CAP_NET_ADMIN is bit 12, CAP_BPF bit 39: nothing else.
	[[ $((16#$capeff)) == $(((1 << 12) | (1 << 39))) ]] || fail "CapEff $capeff after attaching" || return 1
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$WATCH_PID/status" || fail "no_new_privs not set" || return 1
	# Still enough to follow the node: a new Pod is attached and flagged.
	local ifname
	ifname=$("$ROOT/tools/lab.sh" add-pod api 1500 10.77.0.13 fd77::13 | tail -1)
	wait_for 5 has_attached "$ifname" || fail "a new Pod was not attached without the dropped capabilities" || return 1
	# A bare port binds loopback only.
	grep -q '127.0.0.1:19470' <<<"$(node ss -ltn)" || fail "metrics not on loopback: $(node ss -ltn | grep 19470)" || return 1
	# Pins are root's alone.
	[[ $(stat -c %a "$PIN") == 700 && $(stat -c %a "$PIN/mg_counters") == 600 ]] ||
		fail "pin modes: $(stat -c '%a %n' "$PIN" "$PIN"/mg_*)" || return 1
	stop_watch || fail "the watch could not stop cleanly with fewer capabilities" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)"
}
