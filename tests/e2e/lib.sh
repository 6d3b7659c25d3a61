# shellcheck shell=bash
# The e2e tests' setup and helpers: the lab, a watch in the node netns, its
# output, our links and filters. Sourced by tests/e2e.sh first.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MTUGUARD=$ROOT/mtuguard
export LAB_PREFIX=mtge
export LAB_DIR=/run/mtge-lab
PIN=/sys/fs/bpf/mtge-test
PIN2=/sys/fs/bpf/mtge-test2
WORK=$(mktemp -d /tmp/mtge.XXXXXX)
eval "$("$ROOT/tools/lab.sh" env)"

WATCH_PID=
WATCH_WRAPPER=() # e.g. valgrind and its options
WATCH_OUT=$WORK/watch.out
WATCH_ERR=$WORK/watch.err

PROMETHEUS_PID=
SAMPLER_PID= # tests/e2e/25_restart.sh's sampler of links

cleanup() {
	[[ -n $WATCH_PID ]] && kill -KILL "$WATCH_PID" 2>/dev/null
	[[ -n $PROMETHEUS_PID ]] && kill -KILL "$PROMETHEUS_PID" 2>/dev/null
	[[ -n $SAMPLER_PID ]] && kill -KILL "$SAMPLER_PID" 2>/dev/null
	pkill -f "iperf3 -s -1 -B 10.77.0.100" 2>/dev/null
	"$ROOT/tools/lab.sh" down
	rm -rf "$PIN" "$PIN2" "$WORK"
}
trap cleanup EXIT
# A watch an earlier run left (its shell died before cleanup) would still
# share our pins and hold its programs: no test could count ours.
pkill -KILL -f -- "--pin $PIN" 2>/dev/null
trap 'exit 130' INT TERM

node() { nsenter --net="/run/netns/$NS_NODE" "$@"; }
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
# A figure the run prints beside PASS (tests/e2e.sh shows these lines).
note() { echo "    note: $*"; }
fail() {
	echo "    $*"
	return 1
}

# Waits up to $1 seconds for a command to succeed (polling, no fixed sleep).
wait_for() {
	local timeout=$1 i
	shift
	for ((i = 0; i < timeout * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# The watch's start event. While the watch runs, its output may end in a
# line still being written (a reader sees a write that crosses a page of the
# file in parts), so what reads a running watch's output reads this line
# alone; the watch has started once it is whole.
start_event() { grep -m1 '"event":"start"' "$WATCH_OUT" 2>/dev/null; }
# Every whole event line of the watch's output (a line still being written
# does not parse, and is left out).
watch_events() { jq -cR 'fromjson? // empty' "$WATCH_OUT"; }
watch_started() { start_event | jq -e . >/dev/null 2>&1; }
watch_exited() { ! kill -0 "$WATCH_PID" 2>/dev/null; }

# Starts a watch in the node netns with the lab's settings plus "$@", and
# waits for its start event (it is attached by then).
start_watch() {
	: >"$WATCH_OUT"
	: >"$WATCH_ERR"
	# nsenter itself, not the node() wrapper: nsenter execs mtuguard, so $!
	# is the watch (a backgrounded shell function would ignore SIGINT).
	nsenter --net="/run/netns/$NS_NODE" "${WATCH_WRAPPER[@]}" "$MTUGUARD" watch --json --host-root "$LAB_HOST" --pin "$PIN" \
		--uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" "$@" >"$WATCH_OUT" 2>"$WATCH_ERR" &
	WATCH_PID=$!
	if ! wait_for "${WATCH_START_TIMEOUT:-10}" watch_started; then
		cat "$WATCH_ERR"
		return 1
	fi
}

# Stops the watch with $1 (default INT) and returns its exit status.
stop_watch() {
	local sig=${1:-INT} rc
	kill -"$sig" "$WATCH_PID"
	if ! wait_for 10 watch_exited; then
		kill -KILL "$WATCH_PID"
		WATCH_PID=
		fail "watch did not exit within 10 s of SIG$sig"
		return 1
	fi
	wait "$WATCH_PID"
	rc=$?
	WATCH_PID=
	return $rc
}

alerts() { jq -c 'select(.event == "too_big" or .event == "too_big_fragmentable" or .event == "icmp_too_big")' "$WATCH_OUT"; }
alert_sum() { alerts | jq -s "map(select($1)) | map(.count) | add // 0"; }
summary_field() { jq -s "map(select(.event == \"summary\"))[0].interfaces | map(select($1)) | $2" "$WATCH_OUT"; }

# Our programs' TCX/XDP links anywhere, and our clsact filters in the node netns.
# Our TC/TCX and XDP links (not the kfree_skb tracepoint's). bpftool 7.1
# predates TCX and prints no name for its links: join on prog ids.
our_links() {
	local progs
	progs=$(bpftool prog show --json | jq -c '[.[] | select(.name | test("^mg_(pod|uplink)_")) | .id]')
	bpftool link show --json | jq --argjson p "$progs" '[.[] | select(.prog_id as $i | $p | index($i))] | length'
}
our_filters() {
	local dev n=0
	for dev in "$DNS_IF" "$WEB_IF" "$UPLINK"; do
		n=$((n + $(node tc filter show dev "$dev" ingress 2>/dev/null | grep -c 'mg_' || true)))
		n=$((n + $(node tc filter show dev "$dev" egress 2>/dev/null | grep -c 'mg_' || true)))
	done
	echo "$n"
}

lab() { "$ROOT/tools/lab.sh" up "$1" >/dev/null; }
lab_ovs() { "$ROOT/tools/lab.sh" up "$1" ovs >/dev/null; }
ovs_vsctl() { ovs-vsctl --db="unix:$OVSDB_SOCK" --timeout=10 "$@"; }
