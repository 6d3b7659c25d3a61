#!/usr/bin/env bash
# End-to-end tests: mtuguard on the namespace lab (tools/lab.sh) with real
# traffic from ping and iperf3. Each test builds its own lab, runs a watch in
# the node namespace, drives traffic, stops the watch and asserts on its JSON
# output, the kernel's state (bpftool, tc) and the pins. Prints PASS/FAIL/SKIP
# per test; everything it made is removed on exit, even on failure.
#
#   tests/e2e.sh [TEST_NAME...]     (all tests by default; run as root)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
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

cleanup() {
	[[ -n $WATCH_PID ]] && kill -KILL "$WATCH_PID" 2>/dev/null
	[[ -n $PROMETHEUS_PID ]] && kill -KILL "$PROMETHEUS_PID" 2>/dev/null
	pkill -f "iperf3 -s -1 -B 10.77.0.100" 2>/dev/null
	"$ROOT/tools/lab.sh" down
	rm -rf "$PIN" "$PIN2" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node() { nsenter --net="/run/netns/$NS_NODE" "$@"; }
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
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

watch_started() { grep -q '"event":"start"' "$WATCH_OUT" 2>/dev/null; }
watch_exited() { ! kill -0 "$WATCH_PID" 2>/dev/null; }

# Starts a watch in the node netns with the lab's settings plus "$@", and
# waits for its start event (it is attached by then).
start_watch() {
	: >"$WATCH_OUT"
	: >"$WATCH_ERR"
	# nsenter itself, not the node() wrapper: nsenter execs mtuguard, so $!
	# is the watch (a backgrounded shell function would ignore SIGINT).
	nsenter --net="/run/netns/$NS_NODE" "${WATCH_WRAPPER[@]}" "$MTUGUARD" watch --json --pin "$PIN" \
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

# --- the tests --------------------------------------------------------------

test_incident_flagged_exact() {
	lab incident
	start_watch || return 1
	# The incident's ping mesh: 1500-byte DF packets from the new Pod.
	in_ns "$NS_WEB" ping -q -c 5 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >"$WORK/ping" 2>&1
	grep -q ' 0 received' "$WORK/ping" || fail "the lab did not black-hole the ping: $(tail -2 "$WORK/ping")" || return 1
	stop_watch || fail "watch exited $?" || return 1
	local web="(.pod.namespace == \"$WEB_NS\" and .pod.name == \"$WEB_POD\")"
	[[ $(alert_sum "$web and .event == \"too_big\"") == 5 ]] ||
		fail "alert counts for $WEB_POD add up to $(alert_sum "$web"), want 5" || return 1
	[[ $(alerts | jq -s "map(select($web)) | all(.len == 1500 and .limit == 1450 and .df and .family == \"ipv4\" and .proto == \"icmp\" and .iface == \"$WEB_IF\")") == true ]] ||
		fail "alert fields wrong: $(alerts | head -1)" || return 1
	[[ $(alert_sum 'true') == 5 ]] || fail "other Pods were flagged: $(alerts)" || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big') == 5 ]] ||
		fail "summary counter for $WEB_IF is not 5" || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].alerted') == 5 ]] ||
		fail "summary alerted for $WEB_IF is not 5"
}

# A frame whose IP header is not in the skb's linear part (an AF_PACKET
# sender with a short vnet header) is pulled in and judged, not skipped.
test_headers_beyond_the_linear_part_are_judged() {
	lab incident
	# A 5,000-byte frame has to leave the Pod and cross its veth.
	in_ns "$NS_WEB" ip link set eth0 mtu 9000
	in_ns "$NS_NODE" ip link set "$WEB_IF" mtu 9000
	start_watch || return 1
	local remote_mac
	remote_mac=$(in_ns "$NS_REMOTE" cat /sys/class/net/eth0/address)
	in_ns "$NS_WEB" python3 "$ROOT/tests/send_split_headers.py" eth0 "$WEB_IP" "$REMOTE_IP" \
		"$remote_mac" || fail "could not send the frame" || return 1
	stop_watch || fail "watch exited $?" || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big') == 1 ]] ||
		fail "the split frame was not judged too big: $(summary_field ".iface == \"$WEB_IF\"" '.')" || return 1
	[[ $(alerts | jq -s 'map(select(.hook == "pod_ingress" and .len == 4986 and .limit == 1450)) | length') == 1 ]] ||
		fail "no alert for the split frame: $(alerts)"
}

test_ipv6_flagged() {
	lab incident
	start_watch || return 1
	in_ns "$NS_WEB" ping -6 -q -c 3 -i 0.2 -W 1 -M do -s 1452 "$REMOTE_IP6" >/dev/null 2>&1
	stop_watch || return 1
	# IPv6 is never fragmented: every 1500-byte packet that left the Pod is
	# flagged (the Pod may stop sending early if a Packet Too Big reaches it).
	local counted alerted
	counted=$(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big')
	alerted=$(alert_sum ".family == \"ipv6\" and .pod.name == \"$WEB_POD\" and .len == 1500 and .proto == \"ipv6-icmp\" and .event == \"too_big\"")
	[[ $counted -ge 1 && $alerted == "$counted" ]] ||
		fail "ipv6: $alerted alerted, $counted counted: $(alerts)"
}

test_fitting_traffic_raises_nothing() {
	lab incident
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 5 -i 0.2 -W 1 -M do -s 1422 "$REMOTE_IP" >"$WORK/ping1" 2>&1
	in_ns "$NS_DNS" ping -q -c 5 -i 0.2 -W 1 -M do -s 1422 "$REMOTE_IP" >"$WORK/ping2" 2>&1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1422 "$DNS_IP" >"$WORK/ping3" 2>&1
	stop_watch || return 1
	grep -q ' 5 received' "$WORK/ping1" && grep -q ' 5 received' "$WORK/ping2" &&
		grep -q ' 3 received' "$WORK/ping3" || fail "1450-byte pings did not all pass" || return 1
	[[ -z $(alerts) ]] || fail "alerts for traffic that fits: $(alerts | head -2)" || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.fits') -ge 8 ]] ||
		fail "the fitting packets were not counted as fits"
}

iperf3_run() {
	# One-shot server in the remote netns; the client in the web Pod.
	in_ns "$NS_REMOTE" iperf3 -s -1 -B 10.77.0.100 >/dev/null 2>&1 &
	local server=$!
	wait_for 5 in_ns "$NS_REMOTE" sh -c "ss -ltn | grep -q 10.77.0.100:5201" || return 1
	in_ns "$NS_WEB" iperf3 -c "$REMOTE_IP" -t 2 --json >"$WORK/iperf3.json" 2>&1
	local rc=$?
	wait "$server" 2>/dev/null
	return $rc
}

test_consistent_node_under_iperf3_raises_nothing() {
	lab consistent
	start_watch || return 1
	iperf3_run || fail "iperf3 failed: $(head -c 300 "$WORK/iperf3.json")" || return 1
	stop_watch || return 1
	local bytes
	bytes=$(jq '.end.sum_received.bytes' "$WORK/iperf3.json")
	[[ $bytes -gt 1000000 ]] || fail "iperf3 moved only $bytes bytes" || return 1
	[[ -z $(alerts) ]] || fail "alerts on a consistent node: $(alerts | head -2)" || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.fits') -gt 100 ]] ||
		fail "the iperf3 traffic was not seen"
}

test_incident_iperf3_gso_segments_flagged() {
	lab incident
	start_watch || return 1
	# A veth lab carries GSO packets a real 1450 NIC would lose; the guard
	# flags them by the real link's rule (segment size).
	iperf3_run || fail "iperf3 failed" || return 1
	stop_watch || return 1
	local counted alerted
	counted=$(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big')
	alerted=$(alert_sum ".pod.name == \"$WEB_POD\" and .event == \"too_big\" and .hook == \"pod_ingress\"")
	[[ $counted -gt 0 ]] || fail "no oversize TCP counted" || return 1
	[[ $counted == "$alerted" ]] || fail "alerts add up to $alerted, counters say $counted" || return 1
	[[ $(alerts | jq -s 'map(select(.gso and .proto == "tcp" and .len == 1500 and .gso_size == 1448)) | length') -gt 0 ]] ||
		fail "no GSO segment alert: $(alerts | head -2)"
}

uplink_stale_pod() {
	lab fixed
	start_watch "$@" || return 1
	# From the fabric to the stale 1450 Pod: the bridge drops it at the veth.
	in_ns "$NS_REMOTE" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".hook == \"uplink_ingress\" and .iface == \"$UPLINK\" and .pod.name == \"$DNS_POD\" and .limit == 1450 and .len == 1500") == 3 ]] ||
		fail "uplink alerts: $(alerts)"
}

test_uplink_tc_flags_frames_for_a_stale_pod() { uplink_stale_pod; }

test_uplink_xdp_flags_frames_for_a_stale_pod() {
	uplink_stale_pod --uplink-xdp || return 1
	grep -q '"uplink_hook":"xdp"' "$WATCH_OUT" || fail "the watch did not use XDP"
}

test_icmp_frag_needed_is_reported() {
	lab fixed
	start_watch || return 1
	# 1450 bytes fit the node but not the 1400 hop behind the remote router.
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1422 "$FAR_IP" >"$WORK/ping" 2>&1
	in_ns "$NS_WEB" ping -6 -q -c 2 -i 0.2 -W 1 -M do -s 1402 "$FAR_IP6" >/dev/null 2>&1
	stop_watch || return 1
	grep -qi 'mtu' "$WORK/ping" || grep -q 'errors' "$WORK/ping" || fail "no frag-needed seen by ping" || return 1
	[[ $(alerts | jq -s "map(select(.event == \"icmp_too_big\" and .hook == \"pod_egress\" and .pod.name == \"$WEB_POD\" and .icmp_mtu == 1400 and .family == \"ipv4\")) | length") -ge 1 ]] ||
		fail "no ipv4 icmp_too_big at pod_egress: $(alerts)" || return 1
	[[ $(alerts | jq -s "map(select(.event == \"icmp_too_big\" and .hook == \"uplink_ingress\" and .pod.name == \"$WEB_POD\")) | length") -ge 1 ]] ||
		fail "no icmp_too_big at uplink_ingress" || return 1
	[[ $(alerts | jq -s "map(select(.event == \"icmp_too_big\" and .family == \"ipv6\" and .icmp_mtu == 1400)) | length") -ge 1 ]] ||
		fail "no icmpv6 packet too big"
}

test_detach_after_clean_exit_leaves_no_link_and_no_pin() {
	lab incident
	start_watch || return 1
	[[ $(our_links) -eq 5 ]] || fail "expected 5 TCX links while watching, saw $(our_links)" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left after the watch exited: $(our_links)" || return 1
	[[ -z $(ls "$PIN/links") ]] || fail "link pins left: $(ls "$PIN/links")" || return 1
	# The maps stay pinned for stats, which reads the same exact counts.
	node "$MTUGUARD" stats --json --pin "$PIN" --cni-cache "$LAB_CNI_CACHE" >"$WORK/stats" ||
		fail "stats failed" || return 1
	[[ $(jq ".interfaces | map(select(.iface == \"$WEB_IF\" and .hook == \"pod_ingress\"))[0].packets.too_big" "$WORK/stats") == 2 ]] ||
		fail "stats: $(cat "$WORK/stats")" || return 1
	[[ $(jq -r ".interfaces | map(select(.iface == \"$WEB_IF\"))[0].pod.name" "$WORK/stats") == "$WEB_POD" ]] ||
		fail "stats does not name the Pod" || return 1
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null || fail "detach failed" || return 1
	[[ ! -e $PIN ]] || fail "pin dir left: $(ls -R "$PIN")"
}

test_detach_after_sigkill_tc_removes_filters_and_pins() {
	lab incident
	start_watch --attach tc || return 1
	[[ $(our_filters) -eq 5 ]] || fail "expected 5 clsact filters, saw $(our_filters)" || return 1
	stop_watch KILL
	[[ $(our_filters) -eq 5 ]] || fail "filters vanished with the watch" || return 1
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null || fail "detach failed" || return 1
	[[ $(our_filters) -eq 0 ]] || fail "filters left after detach: $(our_filters)" || return 1
	[[ ! -e $PIN ]] || fail "pin dir left"
}

test_sigkilled_watch_is_replaced_not_stacked() {
	lab incident
	start_watch || return 1
	stop_watch KILL
	# Pinned links keep the node observed after the kill ...
	[[ $(our_links) -eq 5 ]] || fail "links did not outlive the killed watch: $(our_links)" || return 1
	# ... and the next watch replaces them instead of adding a second copy.
	start_watch || return 1
	grep -q 'replaced' "$WATCH_ERR" || fail "no word on replacing the dead watch's hooks" || return 1
	[[ $(our_links) -eq 5 ]] || fail "expected 5 links, saw $(our_links): stacked" || return 1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum 'true') == 3 ]] || fail "counts after replacing: $(alert_sum 'true'), want 3" || return 1
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null && [[ $(our_links) -eq 0 ]] || fail "detach left links"
}

test_pod_netns_vanishing_mid_run_is_survived() {
	lab incident
	start_watch || return 1
	ip netns del "$NS_DNS"
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || fail "watch exited $? after a Pod vanished: $(cat "$WATCH_ERR")" || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "alerts after the Pod vanished: $(alerts)" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)"
}

# Bad input: one sentence on stderr, exit 2, nothing left attached.
expect_refusal() {
	local pattern=$1 rc
	shift
	node "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[[ $rc == 2 ]] || fail "exit $rc, want 2 for: $*" || return 1
	grep -qiE -- "$pattern" "$WORK/err" || fail "stderr lacks '$pattern': $(cat "$WORK/err")" || return 1
	[[ $(grep -c . "$WORK/err") -le 2 ]] || fail "more than a sentence: $(cat "$WORK/err")" || return 1
	[[ $(our_links) -eq ${KEEP_LINKS:-0} && $(our_filters) -eq 0 ]] ||
		fail "left hooks attached after refusing: $*"
}

test_bad_input_is_refused_cleanly() {
	lab incident
	local w=("$MTUGUARD" watch --pin "$PIN" --cni-cache "$LAB_CNI_CACHE" --duration 1)
	expect_refusal "no interface named 'nope0'" "${w[@]}" --uplink nope0 || return 1
	expect_refusal "--mode is noEncap, encap, hybrid" "${w[@]}" --uplink "$UPLINK" --mode tunnel || return 1
	expect_refusal "--path-mtu takes a whole number" "${w[@]}" --uplink "$UPLINK" --path-mtu 12ab || return 1
	expect_refusal "unrecognized|unknown" "$MTUGUARD" watch --frobnicate || return 1
	# A bridge has no native XDP: refused, and the Pods' hooks rolled back.
	expect_refusal "has no native XDP" "${w[@]}" --uplink br-int --uplink-xdp || return 1
	expect_refusal "nothing pinned at" "$MTUGUARD" stats --pin "$PIN2" || return 1
	expect_refusal "--metrics takes PORT" "${w[@]}" --uplink "$UPLINK" --metrics localhost || return 1
	expect_refusal "is not on a bpf filesystem" "${w[@]}" --uplink "$UPLINK" --pin /tmp/mtge-x/pin || return 1
	# In --json mode the error is also a JSON object on stdout.
	expect_refusal "no interface named" "${w[@]}" --uplink nope0 --json || return 1
	[[ $(jq -r 'select(.event == "error") | .error' "$WORK/out") == *"no interface named 'nope0'"* ]] ||
		fail "--json error on stdout: $(cat "$WORK/out")" || return 1
	expect_refusal "permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "${w[@]}" --uplink "$UPLINK" || return 1
}

test_xdp_refused_when_another_program_is_attached() {
	lab fixed
	start_watch --uplink-xdp || return 1
	# The first watch's 5 links stay; the second adds none and leaves.
	KEEP_LINKS=5 expect_refusal "another XDP program is attached" "$MTUGUARD" watch \
		--pin "$PIN2" --uplink "$UPLINK" --uplink-xdp --duration 1 || return 1
	[[ ! -e $PIN2 ]] || fail "the refused watch left $PIN2" || return 1
	stop_watch
}

test_malformed_cni_cache_warns_and_falls_back() {
	lab incident
	printf '{"kind": "cniCacheV1", "cniArgs": [' >"$LAB_CNI_CACHE/results/antrea-garbage-eth0"
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	grep -q 'skipping .*antrea-garbage-eth0' "$WATCH_ERR" || fail "no warning for the garbage file" || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 1 ]] || fail "the good entries no longer name Pods"
}

test_unnamed_pod_is_shown_by_netns() {
	lab incident
	rm -rf "$LAB_CNI_CACHE"
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alerts | jq -s "map(select(.pod == null and .pod_netns == \"$NS_WEB\" and .pod_iface == \"$WEB_IF\")) | length") == 1 ]] ||
		fail "alert without a CNI cache: $(alerts)"
}

test_bpffs_absent_is_mounted() {
	lab incident
	# A private mount namespace without bpffs, as on a machine that does not
	# mount it at boot; the host's own mount is untouched.
	unshare --mount --propagation private sh -c "
		umount /sys/fs/bpf 2>/dev/null
		nsenter --net=/run/netns/$NS_NODE $MTUGUARD watch -v --json --pin $PIN --uplink $UPLINK \
			--duration 1 >'$WORK/out' 2>'$WORK/err'
		echo \$? >'$WORK/rc'
		stat -f -c %T /sys/fs/bpf >'$WORK/fstype'" || return 1
	[[ $(cat "$WORK/rc") == 0 ]] || fail "watch exited $(cat "$WORK/rc"): $(cat "$WORK/err")" || return 1
	grep -q 'mounting bpffs' "$WORK/err" || fail "no word on mounting bpffs" || return 1
	[[ $(cat "$WORK/fstype") == bpf_fs ]] || fail "/sys/fs/bpf is $(cat "$WORK/fstype") afterwards"
}

# --- following the node -------------------------------------------------------------

attached_line() { jq -c "select(.event == \"pod_attached\" and .iface == \"$1\")" "$WATCH_OUT" 2>/dev/null | head -1; }
has_attached() { [[ -n $(attached_line "$1") ]]; }

test_new_pod_is_attached_within_a_bound_and_flagged() {
	lab incident
	start_watch || return 1
	local t0 t1 ifname gap_ms
	t0=$(date +%s%N)
	ifname=$("$ROOT/tools/lab.sh" add-pod api 1500 10.77.0.13 fd77::13 | tail -1)
	wait_for 5 has_attached "$ifname" || fail "$ifname was not attached within 5 s" || return 1
	t1=$(date -d "$(attached_line "$ifname" | jq -r .time)" +%s%N)
	gap_ms=$(((t1 - t0) / 1000000))
	echo "    note: attach gap $gap_ms ms from 'ip link add' to the pod_attached event"
	# The bound: well under a Pod's first DNS lookup after its sandbox starts.
	((gap_ms < 1000)) || fail "attach gap $gap_ms ms is over 1000 ms" || return 1
	in_ns "$LAB_PREFIX-pod-api" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".iface == \"$ifname\" and .event == \"too_big\" and .pod.name == \"api-6c9f8d7b5-q2x4z\"") == 3 ]] ||
		fail "the new Pod's packets: $(alerts)" || return 1
	[[ $(summary_field ".iface == \"$ifname\" and .hook == \"pod_ingress\"" '.[0].packets.too_big') == 3 ]] ||
		fail "the summary does not count the new Pod"
}

test_uplink_mtu_change_raises_drift_before_traffic() {
	lab consistent
	start_watch || return 1
	[[ $(jq -r 'select(.event == "check") | .consistent' "$WATCH_OUT") == true ]] ||
		fail "the consistent lab is not consistent" || return 1
	# No traffic at all: the change alone must be reported.
	node ip link set "$UPLINK" mtu 1450
	wait_for 5 grep -q '"event":"drift"' "$WATCH_OUT" || fail "no drift alert within 5 s" || return 1
	[[ $(jq -s '[.[] | select(.event == "drift" and .kind == "pod_mtu_above_path_mtu" and .path_mtu == 1450)] | length' "$WATCH_OUT") == 2 ]] ||
		fail "drift alerts: $(grep drift "$WATCH_OUT")" || return 1
	node ip link set "$UPLINK" mtu 1500
	wait_for 5 grep -q '"event":"consistent"' "$WATCH_OUT" || fail "no consistent event after the fix" || return 1
	stop_watch || return 1
	[[ -z $(alerts) ]] || fail "alerts without traffic: $(alerts)"
}

test_new_pod_with_a_stale_mtu_raises_drift() {
	lab consistent
	start_watch || return 1
	"$ROOT/tools/lab.sh" add-pod old 1450 10.77.0.14 fd77::14 >/dev/null
	wait_for 5 grep -q '"kind":"pod_mtu_below_expected"' "$WATCH_OUT" ||
		fail "no drift for a new Pod at 1450 among 1500s" || return 1
	stop_watch
}

# A Pod with a smaller MTU than any before lowers the limit below which the
# programs skip looking up a packet's destination: packets to it that fit
# every other Pod and the path are still checked against its MTU.
test_new_pod_with_a_smaller_mtu_is_a_limit_at_once() {
	lab consistent
	start_watch || return 1
	local ifname
	ifname=$("$ROOT/tools/lab.sh" add-pod old 1450 10.77.0.14 fd77::14 | tail -1)
	wait_for 5 has_attached "$ifname" || fail "$ifname was not attached within 5 s" || return 1
	# 1500 bytes fit the path (1500) and every Pod there was (1500).
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 10.77.0.14 >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alerts | jq -s "map(select(.iface == \"$WEB_IF\" and .hook == \"pod_ingress\" and .dst == \"10.77.0.14\" and .limit == 1450 and .limit_source == \"local_pod_mtu\")) | map(.count) | add // 0") == 3 ]] ||
		fail "packets to the new 1450 Pod were not checked against its MTU: $(alerts)"
}

test_deleted_pod_is_forgotten_and_its_counts_kept() {
	lab incident
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	ip netns del "$NS_WEB"
	wait_for 5 grep -q "\"event\":\"pod_detached\",\"iface\":\"$WEB_IF\"" "$WATCH_OUT" ||
		fail "no pod_detached for $WEB_IF" || return 1
	[[ $(our_links) -eq 3 ]] || fail "expected 3 links left (dns in, out, uplink), saw $(our_links)" || return 1
	stop_watch || return 1
	[[ $(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big') == 2 &&
		$(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "the gone Pod's counts were lost"
}

# --- confirmed drops and metrics ----------------------------------------------------

test_confirmed_drops_on_a_routed_path() {
	lab incident
	start_watch || return 1
	# The node routes 10.79.0.0/24 over a 1400 link; 1450-byte DF packets fit
	# the Pod's path but not that hop: IP forwarding drops them (PKT_TOO_BIG).
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1422 "$ROUTED_IP" >/dev/null 2>&1
	wait_for 5 grep -q '"event":"confirmed_drops"' "$WATCH_OUT" || fail "no confirmed_drops event" || return 1
	stop_watch || return 1
	local events summary icmp
	events=$(jq -s 'map(select(.event == "confirmed_drops" and .iface == "br-int") | .count) | add // 0' "$WATCH_OUT")
	summary=$(jq -s 'map(select(.event == "summary"))[0].confirmed_drops | map(select(.iface == "br-int"))[0].packets' "$WATCH_OUT")
	icmp=$(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_egress\"" '.[0].packets.icmp_too_big')
	# Each drop sends the Pod one "fragmentation needed": the counts agree.
	[[ $events -ge 1 && $events == "$summary" && $summary == "$icmp" ]] ||
		fail "confirmed drops: events $events, summary $summary, ICMP to the Pod $icmp"
}

# The value of the sample whose name and labels are exactly $2.
metric_value() {
	grep -v '^#' "$1" | grep -F "$2 " | awk '{print $NF}' | head -1
}

test_metrics_are_valid_and_exact() {
	lab incident
	start_watch --metrics 127.0.0.1:19465 || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	node curl -sf -o "$WORK/metrics" http://127.0.0.1:19465/metrics || fail "no /metrics" || return 1
	node curl -sf http://127.0.0.1:19465/healthz >/dev/null && node curl -sf http://127.0.0.1:19465/readyz >/dev/null ||
		fail "health or readiness probe failed" || return 1
	promtool check metrics <"$WORK/metrics" >"$WORK/promtool" 2>&1 || fail "promtool: $(cat "$WORK/promtool")" || return 1
	[[ $(metric_value "$WORK/metrics" "mtuguard_packets_total{iface=\"$WEB_IF\",pod_namespace=\"$WEB_NS\",pod_name=\"$WEB_POD\",hook=\"pod_ingress\",class=\"too_big\"}") == 2 ]] ||
		fail "packets_total for the Pod: $(grep "$WEB_IF" "$WORK/metrics" | grep too_big)" || return 1
	[[ $(metric_value "$WORK/metrics" 'mtuguard_path_mtu_bytes') == 1450 &&
		$(metric_value "$WORK/metrics" 'mtuguard_inconsistencies{kind="pod_mtu_above_path_mtu"}') == 1 ]] ||
		fail "gauges: $(grep -E 'path_mtu_bytes|inconsistencies' "$WORK/metrics")" || return 1
	stop_watch
}

test_prometheus_scrapes_the_pod_counter() {
	lab incident
	start_watch --metrics 127.0.0.1:19465 || return 1
	printf '%s\n' 'global:' '  scrape_interval: 1s' 'scrape_configs:' '  - job_name: mtuguard' \
		'    static_configs:' "      - targets: ['127.0.0.1:19465']" >"$WORK/prometheus.yml"
	nsenter --net="/run/netns/$NS_NODE" prometheus --config.file="$WORK/prometheus.yml" \
		--storage.tsdb.path="$WORK/tsdb" --web.listen-address=127.0.0.1:19090 \
		>"$WORK/prometheus.log" 2>&1 &
	PROMETHEUS_PID=$!
	in_ns "$NS_WEB" ping -q -c 4 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	local q="mtuguard_packets_total{pod_name=\"$WEB_POD\",hook=\"pod_ingress\",class=\"too_big\"}"
	scraped() {
		node curl -sf --get --data-urlencode "query=$q" http://127.0.0.1:19090/api/v1/query >"$WORK/query" &&
			[[ $(jq -r '.data.result[0].value[1]' "$WORK/query") == 4 ]]
	}
	wait_for 30 scraped || fail "Prometheus did not scrape 4 (query: $(cat "$WORK/query" 2>/dev/null); log: $(tail -3 "$WORK/prometheus.log"))" || return 1
	kill "$PROMETHEUS_PID"
	wait "$PROMETHEUS_PID" 2>/dev/null
	PROMETHEUS_PID=
	stop_watch
}

test_metrics_port_in_use_is_refused_cleanly() {
	lab incident
	node python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 19466)); s.listen(1); time.sleep(30)" &
	local holder=$!
	wait_for 5 node sh -c "ss -ltn | grep -q 127.0.0.1:19466" || return 1
	expect_refusal "cannot serve metrics" "$MTUGUARD" watch --pin "$PIN" --uplink "$UPLINK" \
		--metrics 127.0.0.1:19466 --duration 1
	local rc=$?
	kill "$holder"
	wait "$holder" 2>/dev/null
	[[ $rc == 0 && ! -e $PIN/mg_counters ]] || fail "a refused watch left pins or hooks"
}

# --- mtuguard check ------------------------------------------------------------

check_json() { node "$MTUGUARD" check --json "$@" >"$WORK/check" 2>"$WORK/check.err"; }
mismatch() { jq -c ".mismatches[] | select($1)" "$WORK/check"; }
pod_source() { jq -r ".pods[] | select(.iface == \"$1\") | .pod_source" "$WORK/check"; }

test_ovs_incident_check_then_remedy() {
	lab_ovs incident || return 1
	# Open vSwitch itself dragged the internal port down: no mtu_request.
	[[ $(ovs_vsctl get interface ens192 mtu) == 1450 && $(ovs_vsctl get interface ens192 mtu_request) == "[]" ]] ||
		fail "OVS did not drag ens192 to 1450" || return 1
	check_json --ovsdb "$OVSDB_SOCK" --cni-cache "$LAB_CNI_CACHE"
	[[ $? == 1 ]] || fail "check exit is not 1 on the incident: $(cat "$WORK/check.err")" || return 1
	[[ -n $(mismatch '.kind == "uplink_port_below_nic" and .iface == "ens192" and .mtu == 1450') ]] ||
		fail "no uplink_port_below_nic: $(cat "$WORK/check")" || return 1
	[[ -n $(mismatch ".kind == \"pod_mtu_below_expected\" and .pod.name == \"$DNS_POD\" and .pod.namespace == \"$DNS_NS\" and .pod_mtu == 1450 and .expected_mtu == 1500") ]] ||
		fail "the stale Pod is not named" || return 1
	[[ -n $(mismatch ".kind == \"pod_mtu_above_path_mtu\" and .pod.name == \"$WEB_POD\" and .pod_mtu == 1500 and .path_mtu == 1450") ]] ||
		fail "the new Pod is not named" || return 1
	[[ $(jq -c '.restart' "$WORK/check") == "[{\"namespace\":\"$DNS_NS\",\"name\":\"$DNS_POD\"}]" ]] ||
		fail "restart list: $(jq -c .restart "$WORK/check")" || return 1
	# The remedy check printed, applied: restart the stale Pod.
	"$ROOT/tools/lab.sh" restart-pod >/dev/null || fail "restart-pod failed" || return 1
	check_json --ovsdb "$OVSDB_SOCK" --cni-cache "$LAB_CNI_CACHE"
	[[ $? == 0 && $(jq .consistent "$WORK/check") == true ]] ||
		fail "not consistent after the remedy: $(cat "$WORK/check")" || return 1
	[[ $(ovs_vsctl get interface ens192 mtu) == 1500 ]] || fail "ens192 did not follow to 1500"
}

test_check_text_names_the_remedy() {
	lab_ovs incident || return 1
	node "$MTUGUARD" check --ovsdb "$OVSDB_SOCK" >"$WORK/text" 2>&1
	[[ $? == 1 ]] || fail "exit $?" || return 1
	grep -q "^restart: kubectl -n $DNS_NS delete pod $DNS_POD\$" "$WORK/text" &&
		grep -q 'uplink_port_below_nic on ens192 (MTU 1450)' "$WORK/text" &&
		grep -q 'mtu_request=1500' "$WORK/text" || fail "text output: $(cat "$WORK/text")"
}

test_pods_named_from_ovsdb_without_cni_cache() {
	lab_ovs incident || return 1
	rm -rf "$LAB_CNI_CACHE"
	check_json --ovsdb "$OVSDB_SOCK" --cni-cache "$LAB_CNI_CACHE"
	[[ $(pod_source "$DNS_IF") == ovsdb && $(pod_source "$WEB_IF") == ovsdb ]] ||
		fail "pods: $(jq -c .pods "$WORK/check")" || return 1
	[[ $(jq -r ".pods[] | select(.iface == \"$WEB_IF\") | .pod.name" "$WORK/check") == "$WEB_POD" ]] ||
		fail "wrong name from OVSDB"
}

test_pods_named_from_cni_cache_when_ovsdb_is_dead_or_garbage() {
	lab incident
	python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$WORK/dead.sock')"
	python3 -c "
import socket
s = socket.socket(socket.AF_UNIX); s.bind('$WORK/garbage.sock'); s.listen(1)
c, _ = s.accept(); c.recv(4096); c.sendall(b'HTTP/1.0 400 Bad Request\r\n\r\n'); c.close()" &
	local server=$!
	wait_for 5 test -S "$WORK/garbage.sock" || return 1
	local sock
	for sock in "$WORK/dead.sock" "$WORK/garbage.sock" "$WORK/none.sock"; do
		check_json --ovsdb "$sock" --cni-cache "$LAB_CNI_CACHE"
		[[ $? == 1 ]] || fail "check did not carry on past $sock: $(cat "$WORK/check.err")" || return 1
		grep -q "warning: cannot read OVSDB at $sock" "$WORK/check.err" ||
			fail "no warning for $sock: $(cat "$WORK/check.err")" || return 1
		[[ $(pod_source "$DNS_IF") == cni-cache && $(pod_source "$WEB_IF") == cni-cache ]] ||
			fail "no fallback to the CNI cache for $sock" || return 1
	done
	wait "$server"
}

test_pods_named_from_a_pod_map() {
	lab incident
	rm -rf "$LAB_CNI_CACHE"
	printf '{"%s": {"namespace": "%s", "name": "%s"}}' "$WEB_IF" "$WEB_NS" "$WEB_POD" >"$WORK/map.json"
	check_json --cni-cache "$LAB_CNI_CACHE" --pod-map "$WORK/map.json"
	[[ $(pod_source "$WEB_IF") == pod-map && $(pod_source "$DNS_IF") == null ]] ||
		fail "pods: $(jq -c .pods "$WORK/check")"
}

test_check_infers_encap_from_a_tunnel_device() {
	lab consistent
	check_json --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE"
	[[ $? == 0 ]] || fail "the consistent lab is not consistent: $(cat "$WORK/check")" || return 1
	node ip link add antrea-tun0 type vxlan external dstport 4789
	check_json --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE"
	[[ $? == 1 && $(jq -r .mode "$WORK/check") == encap && $(jq .path_mtu "$WORK/check") == 1450 ]] ||
		fail "mode auto did not see the vxlan tunnel: $(jq -c '{mode, mode_source, path_mtu}' "$WORK/check")" || return 1
	[[ $(jq '[.mismatches[] | select(.kind == "pod_mtu_above_path_mtu")] | length' "$WORK/check") == 2 ]] ||
		fail "both 1500 Pods should be above 1450"
}

test_check_reads_antrea_config() {
	lab consistent
	check_json --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" \
		--antrea-config "$ROOT/tests/fixtures/antrea/encap-gre-ipsec.conf"
	[[ $? == 1 && $(jq .expected_pod_mtu "$WORK/check") == 1420 ]] ||
		fail "GRE+IPsec from the config: $(jq -c '{mode, mode_source, expected_pod_mtu}' "$WORK/check")" || return 1
	# A flag wins over the file.
	check_json --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" --mode noEncap \
		--antrea-config "$ROOT/tests/fixtures/antrea/encap-gre-ipsec.conf"
	[[ $? == 0 ]] || fail "--mode did not override the config" || return 1
	expect_refusal "line 2: 'tunnelish' is not a valid trafficEncapMode" "$MTUGUARD" check \
		--antrea-config "$ROOT/tests/fixtures/antrea/bad-mode.conf"
}

test_watch_starts_with_what_check_says() {
	lab_ovs incident || return 1
	start_watch --ovsdb "$OVSDB_SOCK" || return 1
	stop_watch || return 1
	[[ $(head -1 "$WATCH_OUT" | jq -r '.event + " " + (.consistent | tostring)') == "check false" ]] ||
		fail "first line: $(head -1 "$WATCH_OUT")" || return 1
	[[ $(jq -r 'select(.event == "start") | .pods[] | select(.iface == "'"$DNS_IF"'") | .pod_source' "$WATCH_OUT") == ovsdb ]] ||
		fail "watch did not name Pods from OVSDB"
}

# --- faults ------------------------------------------------------------------------

test_fault_pod_veth_deleted_while_its_samples_are_read() {
	lab incident
	start_watch --sample-interval 1 || return 1
	# A stream of offending packets, and the veth goes in the middle of it.
	in_ns "$NS_WEB" ping -q -c 400 -i 0.005 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1 &
	local pinger=$!
	wait_for 5 grep -q '"event":"too_big"' "$WATCH_OUT" || fail "no alert before the delete" || return 1
	node ip link del "$WEB_IF"
	wait "$pinger"
	wait_for 5 grep -q '"event":"pod_detached"' "$WATCH_OUT" || fail "no pod_detached" || return 1
	stop_watch || fail "the watch did not survive: $(cat "$WATCH_ERR")" || return 1
	local counted alerted
	counted=$(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big')
	alerted=$(alert_sum ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"")
	[[ $counted -gt 0 && $counted == "$alerted" ]] || fail "counted $counted, alerted $alerted"
}

test_fault_uplink_deleted() {
	lab incident
	start_watch || return 1
	node ip link del "$UPLINK"
	wait_for 5 grep -q 'was deleted' "$WATCH_ERR" || fail "no word on the uplink's deletion" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	stop_watch || fail "the watch did not survive losing its uplink: $(cat "$WATCH_ERR")" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)" || return 1
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null && [[ ! -e $PIN ]] || fail "detach left pins"
}

test_fault_ovsdb_killed_and_restarted() {
	lab_ovs incident || return 1
	start_watch --ovsdb "$OVSDB_SOCK" || return 1
	"$ROOT/tools/lab.sh" ovsdb stop
	# While OVSDB is down, an unknown veth makes the watch look again: a
	# warning (once), and the watch carries on.
	ip netns add "$LAB_PREFIX-pod-x"
	node ip link add vethx mtu 1500 type veth peer name eth0 netns "$LAB_PREFIX-pod-x"
	node ip link set vethx up
	wait_for 5 has_attached vethx || fail "no attach while OVSDB was down" || return 1
	wait_for 5 grep -q "cannot read OVSDB at $OVSDB_SOCK" "$WATCH_ERR" || fail "no warning about OVSDB" || return 1
	[[ $(grep -c "cannot read OVSDB" "$WATCH_ERR") == 1 ]] || fail "the warning repeats: $(grep -c "cannot read OVSDB" "$WATCH_ERR")" || return 1
	"$ROOT/tools/lab.sh" ovsdb start
	# A Pod known only to OVSDB (its CNI cache entry removed) is named again.
	local ifname
	ifname=$("$ROOT/tools/lab.sh" add-pod db 1500 10.77.0.15 fd77::15 | tail -1)
	rm -f "$LAB_CNI_CACHE"/results/*"$(printf '%s' db-6c9f8d7b5-q2x4z | sha256sum | cut -c1-64)"*
	wait_for 5 has_attached "$ifname" || fail "no attach after OVSDB came back" || return 1
	in_ns "$LAB_PREFIX-pod-db" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alerts | jq -r "select(.iface == \"$ifname\") | .pod.name" | head -1) == db-6c9f8d7b5-q2x4z ]] ||
		fail "the Pod added after the restart is not named: $(alerts | grep "$ifname")"
}

test_fault_two_watches_at_once_never_double() {
	lab incident
	local out2=$WORK/second.out err2=$WORK/second.err
	# Two started together on one pin directory: one runs, one refuses.
	nsenter --net="/run/netns/$NS_NODE" "$MTUGUARD" watch --json --pin "$PIN" --uplink "$UPLINK" \
		--duration 5 >"$out2" 2>"$err2" &
	local second=$!
	start_watch || true
	wait "$second"
	local rc2=$?
	if [[ -n $WATCH_PID ]] && kill -0 "$WATCH_PID" 2>/dev/null; then
		# This one won: the other must have refused, clearly.
		[[ $rc2 == 2 ]] && grep -q 'another mtuguard holds' "$err2" ||
			fail "the second watch exited $rc2: $(cat "$err2")" || return 1
	else
		# The other won and ran its 5 seconds; this one refused.
		[[ $rc2 == 0 ]] && grep -q 'another mtuguard holds' "$WATCH_ERR" ||
			fail "neither refused clearly: $(cat "$WATCH_ERR" "$err2")" || return 1
		WATCH_PID=
		return 0
	fi
	[[ $(our_links) -eq 5 ]] || fail "expected 5 links, saw $(our_links)" || return 1
	stop_watch
}

# --- memory safety -------------------------------------------------------------

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
	echo "    note: valgrind: $(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$WORK/valgrind.log"), $(grep -oE 'in use at exit: [0-9,]+ bytes' "$WORK/valgrind.log")"
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
	node ss -ltn | grep -q '127.0.0.1:19470' || fail "metrics not on loopback: $(node ss -ltn | grep 19470)" || return 1
	# Pins are root's alone.
	[[ $(stat -c %a "$PIN") == 700 && $(stat -c %a "$PIN/mg_counters") == 600 ]] ||
		fail "pin modes: $(stat -c '%a %n' "$PIN" "$PIN"/mg_*)" || return 1
	stop_watch || fail "the watch could not stop cleanly with fewer capabilities" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)"
}

# --- deployment -----------------------------------------------------------------

# The manifest as Kubernetes decodes it (kubectl, offline: --local).
daemonset_json() {
	kubectl label --local -f "$ROOT/deploy/daemonset.yaml" checked=yes -o json >"$WORK/ds.json" 2>"$WORK/ds.err"
}

test_daemonset_manifest_asks_for_exactly_what_it_needs() {
	daemonset_json || fail "kubectl cannot decode the manifest: $(cat "$WORK/ds.err")" || return 1
	local c='.spec.template.spec.containers[0]'
	local checks=(
		'.apiVersion == "apps/v1" and .kind == "DaemonSet"'
		'.spec.template.spec.hostNetwork == true'
		"$c.securityContext.privileged == false"
		"$c.securityContext.capabilities.drop == [\"ALL\"]"
		"($c.securityContext.capabilities.add | sort) == [\"BPF\", \"NET_ADMIN\", \"PERFMON\"]"
		"$c.securityContext.readOnlyRootFilesystem == true"
		"[$c.volumeMounts[] | select(.mountPath | startswith(\"/host/\")) | .readOnly] | all"
		"[$c.volumeMounts[] | select(.mountPath == \"/sys/fs/bpf\")] | length == 1"
		"$c.ports[0].containerPort == 9465"
		"$c.livenessProbe.httpGet.path == \"/healthz\" and $c.readinessProbe.httpGet.path == \"/readyz\""
		"$c.resources.requests.cpu != null and $c.resources.requests.memory != null and $c.resources.limits.memory != null"
		"$c.args | index(\"--metrics=:9465\") != null"
	)
	local check
	for check in "${checks[@]}"; do
		[[ $(jq "$check" "$WORK/ds.json") == true ]] || fail "manifest fails: $check" || return 1
	done
}

test_watch_runs_with_only_the_daemonsets_capabilities() {
	daemonset_json || return 1
	local caps
	caps=$(jq -r '.spec.template.spec.containers[0].securityContext.capabilities.add | map("+" + ascii_downcase) | join(",")' "$WORK/ds.json")
	lab incident
	# Root with no capability but the manifest's, as the kubelet runs it.
	nsenter --net="/run/netns/$NS_NODE" setpriv --bounding-set="-all,$caps" -- "$MTUGUARD" watch \
		--json --pin "$PIN" --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" --metrics 127.0.0.1:19467 \
		>"$WATCH_OUT" 2>"$WATCH_ERR" &
	WATCH_PID=$!
	wait_for 10 watch_started || fail "no start with capabilities $caps: $(cat "$WATCH_ERR")" || return 1
	node curl -sf http://127.0.0.1:19467/readyz >/dev/null || fail "readiness probe failed" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch TERM || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "alerts with $caps: $(alerts)"
}

test_help_and_readme_agree() {
	local cmd flag missing=
	for cmd in watch check stats detach; do
		grep -q "mtuguard $cmd" "$ROOT/README.md" || missing+=" $cmd"
		for flag in $("$MTUGUARD" "$cmd" --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
			grep -q -- "$flag" "$ROOT/README.md" || missing+=" $cmd$flag"
		done
	done
	[[ -z $missing ]] || fail "in --help but not in README.md:$missing"
}

# --- runner -----------------------------------------------------------------

run_test() {
	local name=$1 rc
	"$ROOT/tools/lab.sh" down
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
