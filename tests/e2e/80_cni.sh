# shellcheck shell=bash
# Every CNI's node shape (tools/lab_cni.sh): on the consistent node `check`
# exits 0 naming the CNI and a watch under ping and iperf3 raises nothing;
# on the CNI's typical failure `check` exits 1 naming exactly the stale Pod,
# and the watch flags its packets into the tunnel against the tunnel's limit.
# Sourced by tests/e2e.sh.

cni_lab() {
	"$ROOT/tools/lab_cni.sh" up "$1" "$2" >/dev/null || return 1
	eval "$("$ROOT/tools/lab_cni.sh" env)"
}

cni_check_json() {
	node "$MTUGUARD" check --json --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" \
		--ovsdb "$OVSDB_SOCK" >"$WORK/check" 2>"$WORK/check.err"
}

# $1 the CNI as the lab names it, $2 as mtuguard does.
cni_consistent_check() {
	cni_lab "$1" consistent || fail "no $1 lab" || return 1
	cni_check_json
	local rc=$?
	[[ $rc == 0 ]] || fail "check exit $rc on a consistent $1 node: $(jq -c .mismatches "$WORK/check")" || return 1
	[[ $(jq -r .cni.name "$WORK/check") == "$2" ]] || fail "cni: $(jq -c .cni "$WORK/check")" || return 1
	[[ $(jq '.pods | length' "$WORK/check") == 2 ]] || fail "pods: $(jq -c .pods "$WORK/check")" || return 1
	[[ ! -s $WORK/check.err ]] || fail "stderr on a consistent node: $(cat "$WORK/check.err")"
}

cni_failure_check() {
	cni_lab "$1" failure || fail "no $1 lab" || return 1
	cni_check_json
	local rc=$?
	[[ $rc == 1 ]] || fail "check exit $rc on the $1 failure" || return 1
	[[ $(jq -c '[.mismatches[] | select(.pod) | .pod.name] | unique' "$WORK/check") == "[\"$POD_B\"]" ]] ||
		fail "named: $(jq -c '[.mismatches[] | {kind, iface, pod: .pod.name}]' "$WORK/check")" || return 1
	[[ $(jq -c "[.mismatches[] | select(.iface == \"$IF_A\")] | length" "$WORK/check") == 0 ]] ||
		fail "the healthy Pod is named" || return 1
	[[ $(jq -c "[.restart[].name]" "$WORK/check") == "[\"$POD_B\"]" ]] || fail "restart: $(jq -c .restart "$WORK/check")"
}

for cni in calico:calico cilium:cilium flannel:flannel kube-ovn:kube-ovn ovn-kubernetes:ovn-kubernetes aws:aws-vpc-cni; do
	fn=${cni%%:*}
	fn=${fn//-/_}
	eval "test_cni_${fn}_consistent_node_checks_clean() { cni_consistent_check ${cni%%:*} ${cni#*:}; }"
	[[ $fn == aws ]] ||
		eval "test_cni_${fn}_failure_names_only_the_stale_pod() { cni_failure_check ${cni%%:*}; }"
done
unset cni fn

# Pings from both Pods to the remote node's Pod block (through the tunnel)
# at size $1 (ICMP payload), $2 each.
cni_ping_both() {
	in_ns "$NS_A" ping -q -c "$2" -i 0.2 -W 1 -M do -s "$1" "$REMOTE_POD_IP" >/dev/null 2>&1
	in_ns "$NS_B" ping -q -c "$2" -i 0.2 -W 1 -M do -s "$1" "$REMOTE_POD_IP" >/dev/null 2>&1
}

# iperf3 from Pod A to $1 (default: the remote node's Pod block) on the
# remote node.
cni_iperf3() {
	local ip=${1:-$REMOTE_POD_IP}
	in_ns "$NS_REMOTE" iperf3 -s -1 -B "$ip" >/dev/null 2>&1 &
	local server=$!
	wait_for 5 in_ns "$NS_REMOTE" sh -c "ss -ltn | grep -q $ip:5201" || return 1
	timeout 15 ip netns exec "$NS_A" iperf3 -c "$ip" -t 2 --json >"$WORK/iperf3.json" 2>&1
	local rc=$?
	# A client that never connected leaves the one-shot server waiting.
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	return $rc
}

cni_consistent_watch() {
	cni_lab "$1" consistent || fail "no $1 lab" || return 1
	start_watch || return 1
	# 1450 bytes: what the tunnel carries, from both Pods.
	cni_ping_both 1422 3
	cni_iperf3 || fail "iperf3 through the $1 tunnel failed" || return 1
	stop_watch || return 1
	[[ $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") -gt 1000000 ]] ||
		fail "iperf3 moved $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") bytes" || return 1
	note "iperf3 moved $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") bytes through the tunnel in 2 s"
	[[ -z $(alerts) ]] || fail "alerts on a consistent $1 node: $(alerts | head -2)" || return 1
	[[ $(summary_field ".iface == \"$IF_A\" and .hook == \"pod_ingress\"" '.[0].packets.fits') -gt 100 ]] ||
		fail "the Pod's traffic was not seen"
}

cni_failure_watch() {
	cni_lab "$1" failure || fail "no $1 lab" || return 1
	start_watch || return 1
	# The old Pod's 1500-byte DF packets cannot enter the 1450 tunnel. The
	# node answers each with ICMP, which the Pod learns: forgetting it
	# before each ping keeps them full size, as a Pod whose PMTU discovery
	# is broken (or a new connection each time) sends them.
	local i
	for i in 1 2 3 4; do
		in_ns "$NS_B" ip route flush cache
		in_ns "$NS_B" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_POD_IP" >/dev/null 2>&1
	done
	cni_ping_both 1422 2
	stop_watch || return 1
	[[ $(alert_sum ".pod.name == \"$POD_B\" and .event == \"too_big\" and .limit == 1450 and .len == 1500") == 4 ]] ||
		fail "alerts for the stale Pod: $(alerts)" || return 1
	[[ $(alert_sum ".pod.name == \"$POD_A\"") == 0 ]] || fail "the healthy Pod was flagged: $(alerts)"
}

test_cni_calico_consistent_watch_raises_nothing() { cni_consistent_watch calico; }
test_cni_calico_failure_watch_flags_the_stale_pod() { cni_failure_watch calico; }
test_cni_flannel_consistent_watch_raises_nothing() { cni_consistent_watch flannel; }
test_cni_flannel_failure_watch_flags_the_stale_pod() { cni_failure_watch flannel; }

# Bad node files: one warning naming the file, a fallback to the devices,
# never a hang (a FIFO where the runtime's first config would be) and never
# an invented finding.
test_cni_bad_config_files_warn_and_fall_back() {
	cni_lab calico consistent || return 1
	local dir=$LAB_HOST/etc/cni/net.d
	mv "$dir/10-calico.conflist" "$WORK/calico.conflist"
	mkfifo "$dir/00-fifo.conflist"
	timeout 10 nsenter --net="/run/netns/$NS_NODE" "$MTUGUARD" check --json --host-root "$LAB_HOST" \
		--cni-cache "$LAB_CNI_CACHE" >"$WORK/check" 2>"$WORK/check.err"
	local rc=$?
	[[ $rc == 0 ]] || fail "exit $rc with a FIFO for a config: $(cat "$WORK/check.err")" || return 1
	grep -q "00-fifo.conflist (not a regular file)" "$WORK/check.err" || fail "stderr: $(cat "$WORK/check.err")" || return 1
	# Judged by its device: still Calico, and nothing invented.
	[[ $(jq -r .cni.name "$WORK/check") == calico ]] || fail "cni: $(jq -c .cni "$WORK/check")" || return 1
	rm -f "$dir/00-fifo.conflist"
	printf '{"name": "k8s-pod-network", "plugins": [{"type": "calico", "mtu": "1450"}]}' >"$dir/10-calico.conflist"
	cni_check_json
	[[ $? == 0 && $(grep -c 'not a number of bytes' "$WORK/check.err") == 1 ]] ||
		fail "a string mtu: $(cat "$WORK/check.err")" || return 1
	[[ $(jq .expected_pod_mtu "$WORK/check") == 0 ]] || fail "an MTU was guessed from a bad file"
}

# Calico writes its conflist 0600: a check that is not root cannot read it.
# One warning names the file; the CNI is then judged by its device and the
# Pod MTU taken from /var/lib/calico/mtu, which stays readable.
test_cni_unreadable_conflist_when_not_root_warns_and_falls_back() {
	cni_lab calico consistent || return 1
	chmod o+x "$LAB_DIR"
	[[ $(stat -c %a "$LAB_HOST/etc/cni/net.d/10-calico.conflist") == 600 ]] || fail "the lab's conflist is not 0600" || return 1
	node setpriv --reuid=65534 --regid=65534 --clear-groups "$MTUGUARD" check --json \
		--host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" >"$WORK/check" 2>"$WORK/check.err"
	local rc=$?
	[[ $rc == 0 ]] || fail "exit $rc: $(cat "$WORK/check.err")" || return 1
	[[ $(grep -c '10-calico.conflist' "$WORK/check.err") == 1 ]] &&
		grep -q 'cannot read the CNI config .*10-calico.conflist (Permission denied); judging by the node' "$WORK/check.err" ||
		fail "stderr: $(cat "$WORK/check.err")" || return 1
	[[ $(jq -r .cni.name "$WORK/check") == calico && $(jq -r .cni.source "$WORK/check") == *vxlan.calico* ]] ||
		fail "cni: $(jq -c .cni "$WORK/check")" || return 1
	[[ $(jq .expected_pod_mtu "$WORK/check") == 1450 && $(jq '.mismatches | length' "$WORK/check") == 0 ]] ||
		fail "judged: $(jq -c '{expected_pod_mtu, mismatches}' "$WORK/check")"
}

# --- limits per destination -----------------------------------------------------

# Calico, Flannel, Cilium: the stale Pod's 1500-byte packets to the fabric
# leave by eth0 at 1500 and are not flagged; those into the 1450 tunnel are,
# and the alert says which route's limit it was ($2, the remote Pod block as
# the CNI routes it).
cni_packets_that_leave_by_eth0_are_not_flagged() {
	cni_lab "$1" failure || return 1
	start_watch || return 1
	in_ns "$NS_B" ping -q -c 3 -i 0.2 -W 0.3 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	in_ns "$NS_B" ip route flush cache
	in_ns "$NS_B" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_POD_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".dst == \"$REMOTE_IP\"") == 0 ]] || fail "flagged off the tunnel: $(alerts)" || return 1
	[[ $(alerts | jq -r "select(.dst == \"$REMOTE_POD_IP\") | .limit_detail" | head -1) == *"route $2 "*"mtu 1450"* ]] ||
		fail "the tunnel's limit is not said: $(alerts)"
}

test_cni_calico_packets_that_leave_by_eth0_are_not_flagged() { cni_packets_that_leave_by_eth0_are_not_flagged calico 10.244.2.0/26; }
test_cni_flannel_packets_that_leave_by_eth0_are_not_flagged() { cni_packets_that_leave_by_eth0_are_not_flagged flannel 10.244.2.0/24; }
test_cni_cilium_packets_that_leave_by_eth0_are_not_flagged() { cni_packets_that_leave_by_eth0_are_not_flagged cilium 10.244.2.0/24; }

# AWS: jumbo Pods consistent with the node, and a VPN route at 1500.
test_cni_aws_destination_beyond_a_1500_hop_is_flagged() {
	cni_lab aws failure || return 1
	cni_check_json
	[[ $? == 0 ]] || fail "check: $(jq -c .mismatches "$WORK/check")" || return 1
	start_watch || return 1
	in_ns "$NS_A" ping -q -c 3 -i 0.2 -W 0.3 -M do -s 1972 "$VPN_IP" >/dev/null 2>&1
	in_ns "$NS_A" ping -q -c 3 -i 0.2 -W 0.3 -M do -s 8000 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".dst == \"$VPN_IP\" and .limit == 1500 and .limit_source == \"route_mtu\" and .len == 2000") -ge 1 ]] ||
		fail "the VPN's 1500 was not the limit: $(alerts)" || return 1
	[[ $(alert_sum ".dst == \"$REMOTE_IP\"") == 0 ]] || fail "flagged inside the VPC's 9001: $(alerts)"
}

# Cilium: a Pod whose default route lost its mtu sends 1500-byte packets
# into the 1450 tunnel; the healthy Pod's route keeps it at 1450 (its own
# 1500-byte DF ping fails locally). The watch flags exactly the broken one.
test_cni_cilium_failure_watch_flags_the_pod_without_a_route_mtu() {
	cni_lab cilium failure || fail "no cilium lab" || return 1
	start_watch || return 1
	local i
	# The node answers each with ICMP, which the Pod learns: forgotten
	# before each ping, as in the Calico test.
	for i in 1 2 3; do
		in_ns "$NS_B" ip route flush cache
		in_ns "$NS_B" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_POD_IP" >/dev/null 2>&1
		in_ns "$NS_A" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_POD_IP" >/dev/null 2>&1
	done
	stop_watch || return 1
	# The start event shows each Pod's route MTU beside its device's.
	[[ $(start_event | jq -c '[.pods[] | {iface, route_mtu}]') == "[{\"iface\":\"$IF_A\",\"route_mtu\":1450},{\"iface\":\"$IF_B\",\"route_mtu\":0}]" ]] ||
		fail "route MTUs: $(start_event | jq -c .pods)" || return 1
	[[ $(alert_sum ".pod.name == \"$POD_B\" and .event == \"too_big\" and .limit == 1450 and .len == 1500") == 3 ]] ||
		fail "alerts for the Pod without a route MTU: $(alerts)" || return 1
	[[ $(alert_sum ".pod.name == \"$POD_A\"") == 0 ]] || fail "the healthy Pod was flagged: $(alerts)"
}

# Cilium turning WireGuard on under a running watch: cilium_wg0 appears at
# the device MTU - 80 (a veth stands in for it: this kernel has no
# wireguard), the overhead becomes the tunnel's 50 plus WireGuard's 80, and
# both Pods, whose routes still say 1450, drift above the new 1370; when it
# goes, the node is consistent again.
both_pods_drifted_to_1370() {
	[[ $(watch_events | jq -s '[.[] | select(.event == "drift" and .kind == "pod_mtu_above_path_mtu" and .path_mtu == 1370)] | length') == 2 ]]
}
test_cni_cilium_wireguard_appearing_is_followed_live() {
	cni_lab cilium consistent || fail "no cilium lab" || return 1
	start_watch || return 1
	in_ns "$NS_NODE" ip link add cilium_wg0 mtu 1420 type veth peer name "$LAB_PREFIX-wgpeer" mtu 1420
	in_ns "$NS_NODE" ip link set cilium_wg0 up
	wait_for 5 both_pods_drifted_to_1370 ||
		fail "no drift of both Pods to 1370 within 5 s of cilium_wg0: $(grep drift "$WATCH_OUT")" || return 1
	in_ns "$NS_NODE" ip link del cilium_wg0
	wait_for 5 grep -q '"event":"consistent"' "$WATCH_OUT" || fail "not consistent again once cilium_wg0 went" || return 1
	stop_watch
}

# kube-ovn and OVN-Kubernetes: a Pod's packets leave through OVN (the tunnel,
# or the CNI's host port), never by the node's routes (eth0 at 1500): the
# stale 1500 Pod's DF packets to the node's network are flagged at the path
# MTU (kube-ovn 1500 - 100, OVN-Kubernetes 1500 - 58), the healthy Pod's
# 1400 ones not.
cni_ovn_failure_watch() {
	cni_lab "$1" failure || fail "no $1 lab" || return 1
	start_watch --ovsdb "$OVSDB_SOCK" || return 1
	local i
	for i in 1 2 3; do
		in_ns "$NS_B" ip route flush cache
		in_ns "$NS_B" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	done
	in_ns "$NS_A" ping -q -c 2 -i 0.2 -W 1 -M do -s 1372 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	local path
	path=$(start_event | jq -r .path_mtu)
	[[ $path == "$2" ]] || fail "path MTU $path, want $2" || return 1
	[[ $(alert_sum ".pod.name == \"$POD_B\" and .event == \"too_big\" and .limit == $path and .limit_source == \"path_mtu\" and .len == 1500") == 3 ]] ||
		fail "alerts for the stale Pod: $(alerts)" || return 1
	[[ $(alert_sum ".pod.name == \"$POD_A\"") == 0 ]] || fail "the healthy Pod was flagged: $(alerts)"
}

test_cni_kube_ovn_failure_watch_flags_the_stale_pod_at_the_pod_path() { cni_ovn_failure_watch kube-ovn 1400; }
test_cni_ovn_kubernetes_failure_watch_flags_the_stale_pod_at_the_pod_path() { cni_ovn_failure_watch ovn-kubernetes 1442; }

# The consistent Cilium, OVN and AWS nodes under full-size traffic raise
# nothing: both Pods ping at the largest size their path carries ($2 bytes of
# ICMP payload, to the lab's address named $3), every ping is answered, and
# no alert comes (the route MTU, the dropped routes).
# $1 the CNI, $2 the ping size, $3 the name of the variable holding the
# destination; $4 "iperf3": TCP to it too.
cni_consistent_ping_watch() {
	cni_lab "$1" consistent || fail "no $1 lab" || return 1
	start_watch --ovsdb "$OVSDB_SOCK" || return 1
	local ns
	for ns in "$NS_A" "$NS_B"; do
		in_ns "$ns" ping -q -c 3 -i 0.2 -W 1 -M do -s "$2" "${!3}" >/dev/null 2>&1 ||
			fail "$ns's full-size pings to ${!3} on the $1 node were not all answered" || return 1
	done
	if [[ ${4:-} == iperf3 ]]; then
		cni_iperf3 "${!3}" || fail "iperf3 on the $1 node failed" || return 1
		[[ $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") -gt 1000000 ]] ||
			fail "iperf3 moved $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") bytes" || return 1
		note "iperf3 moved $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") bytes to ${!3} in 2 s"
	fi
	stop_watch || return 1
	[[ -z $(alerts) ]] || fail "alerts on a consistent $1 node: $(alerts | head -2)" || return 1
	[[ $(summary_field ".iface == \"$IF_A\" and .hook == \"pod_ingress\"" '.[0].packets.fits') -ge 3 ]] ||
		fail "the Pod's pings were not seen"
}

# Cilium: into the tunnel, to the remote node's Pods (the lab's policy rule
# stands for Cilium's BPF redirect); kube-ovn and OVN-Kubernetes: through
# Open vSwitch and the node to the remote host.
test_cni_cilium_consistent_watch_raises_nothing() { cni_consistent_ping_watch cilium 1422 REMOTE_POD_IP iperf3; }
test_cni_kube_ovn_consistent_watch_raises_nothing() { cni_consistent_ping_watch kube-ovn 1372 REMOTE_IP iperf3; }
test_cni_ovn_kubernetes_consistent_watch_raises_nothing() { cni_consistent_ping_watch ovn-kubernetes 1372 REMOTE_IP iperf3; }
# AWS: no encapsulation, everything at 9001: full jumbo frames off the node.
test_cni_aws_consistent_watch_raises_nothing() { cni_consistent_ping_watch aws 8973 REMOTE_IP iperf3; }
