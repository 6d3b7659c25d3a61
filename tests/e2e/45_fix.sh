# shellcheck shell=bash
# `mtuguard fix`: the plan changes nothing, --apply mends the node live
# (traffic running across the change completes), --undo restores exactly
# what it changed; refusals and bad input. Sourced by tests/e2e.sh.

STATE=$WORK/fix-state
fix_run() { node "$MTUGUARD" fix --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" --state-dir "$STATE" "$@"; }
fix_json() { fix_run --json "$@" >"$WORK/fix" 2>"$WORK/fix.err"; }
# The MTU of the host end $1 and of its Pod end (eth0 in netns $2).
mtu_of() { jq '.[0].mtu' <<<"$("$@")"; }
ends() { echo "$(mtu_of node ip -j link show dev "$1") $(mtu_of in_ns "$2" ip -j link show dev eth0)"; }

# A TCP stream from netns $1 to the remote host for $2 s, in the background;
# iperf3_done waits for it and says whether it completed.
iperf3_start() {
	in_ns "$NS_REMOTE" iperf3 -s -1 -B "$REMOTE_IP" >/dev/null 2>&1 &
	IPERF3_SERVER=$!
	wait_for 5 in_ns "$NS_REMOTE" sh -c "ss -ltn | grep -q $REMOTE_IP:5201" || return 1
	timeout $(($2 + 10)) ip netns exec "$1" iperf3 -c "$REMOTE_IP" -t "$2" --json >"$WORK/iperf3.json" 2>&1 &
	IPERF3_CLIENT=$!
}
iperf3_done() {
	wait "$IPERF3_CLIENT"
	local rc=$?
	kill "$IPERF3_SERVER" 2>/dev/null
	wait "$IPERF3_SERVER" 2>/dev/null
	[[ $rc == 0 && $(jq '.end.sum_received.bytes' "$WORK/iperf3.json") -gt 100000 ]]
}

test_fix_bridge_plan_apply_undo() {
	lab incident
	rm -rf "$STATE"
	fix_json
	[[ $? == 1 ]] || fail "the plan's exit is not 1: $(cat "$WORK/fix.err")" || return 1
	[[ $(jq -c '[.steps[] | {iface, pod: .pod.name, from, to, done}]' "$WORK/fix") == "[{\"iface\":\"$WEB_IF\",\"pod\":\"$WEB_POD\",\"from\":1500,\"to\":1450,\"done\":false}]" ]] ||
		fail "plan: $(jq -c .steps "$WORK/fix")" || return 1
	[[ $(ends "$WEB_IF" "$NS_WEB") == "1500 1500" && ! -e $STATE/journal.json ]] ||
		fail "the plan changed something: $(ends "$WEB_IF" "$NS_WEB")" || return 1
	# A TCP stream from the Pod runs across the change.
	iperf3_start "$NS_WEB" 4 || fail "no iperf3 server" || return 1
	fix_json --apply
	[[ $? == 0 && $(jq '.check.consistent' "$WORK/fix") == true ]] ||
		fail "apply: $(cat "$WORK/fix.err") $(jq -c '.check.mismatches' "$WORK/fix")" || return 1
	[[ $(ends "$WEB_IF" "$NS_WEB") == "1450 1450" ]] || fail "after apply: $(ends "$WEB_IF" "$NS_WEB")" || return 1
	iperf3_done || fail "the TCP stream across the change: $(head -c 300 "$WORK/iperf3.json")" || return 1
	node "$MTUGUARD" check --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" >/dev/null 2>&1 ||
		fail "check exits $? after the fix" || return 1
	# The black hole is now a local error the Pod's sender sees.
	in_ns "$NS_WEB" ping -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >"$WORK/ping" 2>&1
	grep -q "message too long" "$WORK/ping" || fail "ping after the fix: $(cat "$WORK/ping")" || return 1
	fix_run --undo >"$WORK/undo" 2>&1 || fail "undo: $(cat "$WORK/undo")" || return 1
	[[ $(ends "$WEB_IF" "$NS_WEB") == "1500 1500" && ! -e $STATE/journal.json ]] ||
		fail "after undo: $(ends "$WEB_IF" "$NS_WEB")"
}

test_fix_ovs_incident_raises_the_stale_pod_and_the_port() {
	lab_ovs incident || return 1
	rm -rf "$STATE"
	iperf3_start "$NS_DNS" 4 || fail "no iperf3 server" || return 1
	fix_json --ovsdb "$OVSDB_SOCK" --apply
	[[ $? == 0 ]] || fail "apply: $(cat "$WORK/fix.err") $(jq -c '.check.mismatches' "$WORK/fix")" || return 1
	[[ $(ends "$DNS_IF" "$NS_DNS") == "1500 1500" ]] || fail "CoreDNS after apply: $(ends "$DNS_IF" "$NS_DNS")" || return 1
	[[ $(ovs_vsctl get interface ens192 mtu) == 1500 && $(ovs_vsctl get interface ens192 mtu_request) == 1500 ]] ||
		fail "ens192: mtu $(ovs_vsctl get interface ens192 mtu), mtu_request $(ovs_vsctl get interface ens192 mtu_request)" || return 1
	iperf3_done || fail "CoreDNS's TCP stream across the change: $(head -c 300 "$WORK/iperf3.json")" || return 1
	node "$MTUGUARD" check --host-root "$LAB_HOST" --ovsdb "$OVSDB_SOCK" >/dev/null 2>&1 ||
		fail "check exits $? after the fix" || return 1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1 ||
		fail "the new Pod's 1500-byte DF ping to CoreDNS does not get through" || return 1
	fix_run --ovsdb "$OVSDB_SOCK" --undo >"$WORK/undo" 2>&1 || fail "undo: $(cat "$WORK/undo")" || return 1
	[[ $(ends "$DNS_IF" "$NS_DNS") == "1450 1450" && $(ovs_vsctl get interface ens192 mtu_request) == "[]" ]] ||
		fail "after undo: CoreDNS $(ends "$DNS_IF" "$NS_DNS"), mtu_request $(ovs_vsctl get interface ens192 mtu_request)"
}

test_fix_calico_lowers_the_old_pod_to_the_vxlan_mtu() {
	"$ROOT/tools/lab_cni.sh" up calico failure >/dev/null || fail "no calico lab" || return 1
	eval "$("$ROOT/tools/lab_cni.sh" env)"
	rm -rf "$STATE"
	fix_json --apply
	[[ $? == 0 ]] || fail "apply on Calico: $(cat "$WORK/fix.err") $(jq -c '.check.mismatches' "$WORK/fix")" || return 1
	[[ $(jq -c '[.steps[] | {pod: .pod.name, from, to}]' "$WORK/fix") == "[{\"pod\":\"$POD_B\",\"from\":1500,\"to\":1450}]" ]] ||
		fail "steps: $(jq -c .steps "$WORK/fix")" || return 1
	[[ $(ends "$IF_B" "$NS_B") == "1450 1450" && $(ends "$IF_A" "$NS_A") == "1450 1450" ]] ||
		fail "after: B $(ends "$IF_B" "$NS_B"), A $(ends "$IF_A" "$NS_A")" || return 1
	# Its full-size packets now fit the tunnel.
	in_ns "$NS_B" ping -q -c 2 -i 0.2 -W 1 -M do -s 1422 "$REMOTE_POD_IP" >/dev/null 2>&1 ||
		fail "the Pod's 1450-byte DF ping through the tunnel does not get through"
}

# Lowering below 1280 would remove the Pods' IPv6 addresses: fix leaves
# them to a restart, and changes nothing.
test_fix_refuses_ipv6_below_1280() {
	lab incident
	rm -rf "$STATE"
	node ip link set "$UPLINK" mtu 1200
	fix_json --apply
	[[ $? == 1 && $(jq '.steps | length' "$WORK/fix") == 0 ]] || fail "exit, steps: $(cat "$WORK/fix" "$WORK/fix.err")" || return 1
	[[ $(jq -r '[.left[] | select(.iface == "'"$WEB_IF"'")][0].why' "$WORK/fix") == *IPv6* ]] ||
		fail "why: $(jq -c .left "$WORK/fix")" || return 1
	[[ $(ends "$WEB_IF" "$NS_WEB") == "1500 1500" ]] && grep -q "$WEB_IP6" <<<"$(in_ns "$NS_WEB" ip -6 addr show dev eth0)" ||
		fail "the Pod was touched: MTUs $(ends "$WEB_IF" "$NS_WEB"), $(in_ns "$NS_WEB" ip -6 -br addr show dev eth0)"
}

test_fix_bad_input_is_refused_cleanly() {
	lab incident
	rm -rf "$STATE"
	fix_run --pod default/nope >"$WORK/out" 2>"$WORK/err"
	[[ $? == 2 ]] && grep -q "no Pod default/nope on this node" "$WORK/err" || fail "--pod nope: $(cat "$WORK/err")" || return 1
	fix_run --apply --undo >/dev/null 2>"$WORK/err"
	[[ $? == 2 ]] || fail "--apply --undo accepted" || return 1
	fix_run --undo >/dev/null 2>"$WORK/err"
	[[ $? == 2 ]] && grep -q "fix has changed nothing to undo" "$WORK/err" || fail "undo without a journal: $(cat "$WORK/err")" || return 1
	# A journal edited by hand is refused, and nothing is changed.
	mkdir -p "$STATE"
	echo '{"changes": [{"kind": "veth_host_end", "iface": "'"$WEB_IF"'", "ifindex": 5, "before": 9, "after": 1500, "time": "x"}]}' >"$STATE/journal.json"
	fix_run --undo >/dev/null 2>"$WORK/err"
	[[ $? == 2 ]] && grep -q "is not one mtuguard fix wrote" "$WORK/err" || fail "edited journal: $(cat "$WORK/err")" || return 1
	rm -f "$STATE/journal.json"
	# A second fix while one holds the lock.
	flock "$STATE/lock" sleep 3 &
	local holder=$!
	wait_for 5 sh -c "! flock -n '$STATE/lock' true" || fail "the lock was not taken" || return 1
	fix_run --apply >/dev/null 2>"$WORK/err"
	local rc=$?
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	[[ $rc == 2 ]] && grep -q "another mtuguard fix is running" "$WORK/err" || fail "second fix: rc $rc, $(cat "$WORK/err")" || return 1
	[[ $(ends "$WEB_IF" "$NS_WEB") == "1500 1500" ]] || fail "a refused fix changed the Pod"
}

# A running watch takes a fix as one `fixed` event with what changed, then
# `consistent`: no drift alert for the half-way state between two ends.
test_fix_is_one_event_for_a_running_watch() {
	lab incident
	rm -rf "$STATE"
	start_watch --state-dir "$STATE" || return 1
	fix_run --apply >"$WORK/fix" 2>&1 || fail "apply: $(cat "$WORK/fix")" || return 1
	wait_for 5 grep -q '"event":"consistent"' "$WATCH_OUT" || fail "no consistent event after the fix" || return 1
	stop_watch || return 1
	[[ $(jq -sc 'map(select(.event == "fixed"))[0].changes | map({iface, from, to, from_host, to_host})' "$WATCH_OUT") == "[{\"iface\":\"$WEB_IF\",\"from\":1500,\"to\":1450,\"from_host\":1500,\"to_host\":1450}]" ]] ||
		fail "fixed: $(grep '"fixed"' "$WATCH_OUT")" || return 1
	[[ $(jq -s 'map(select(.event == "drift")) | length' "$WATCH_OUT") == 0 ]] ||
		fail "drift during the fix: $(grep '"drift"' "$WATCH_OUT")"
}

# An OVSDB that takes the connection and never answers (stopped, not dead):
# fix waits its bound, says so once, pins nothing, and still raises the
# stale Pod (Open vSwitch raises the port by itself once no Pod holds it
# down); nothing half-done, a documented exit code.
test_fix_with_a_hung_ovsdb_leaves_the_port_and_says_so() {
	lab_ovs incident || return 1
	rm -rf "$STATE"
	local pid rc
	pid=$(cat "$LAB_DIR/ovs/ovsdb-server.pid")
	kill -STOP "$pid"
	timeout 60 nsenter --net="/run/netns/$NS_NODE" "$MTUGUARD" fix --json --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" \
		--state-dir "$STATE" --ovsdb "$OVSDB_SOCK" --apply >"$WORK/fix" 2>"$WORK/fix.err"
	rc=$?
	kill -CONT "$pid"
	[[ $rc == 0 || $rc == 1 ]] || fail "exit $rc: $(cat "$WORK/fix.err")" || return 1
	[[ $(grep -c "cannot read OVSDB" "$WORK/fix.err") == 1 ]] || fail "stderr: $(cat "$WORK/fix.err")" || return 1
	[[ $(jq -r '.left[] | select(.kind == "uplink_port_below_nic") | .why' "$WORK/fix") == *OVSDB* ]] ||
		fail "left: $(jq -c .left "$WORK/fix")" || return 1
	[[ $(jq -c '[.steps[] | select(.action == "set_ovs_mtu_request")] | length' "$WORK/fix") == 0 ]] ||
		fail "an OVS step without OVSDB: $(jq -c .steps "$WORK/fix")" || return 1
	[[ $(ends "$DNS_IF" "$NS_DNS") == "1500 1500" && $(jq -r '.changes | length' "$STATE/journal.json") == 2 ]] ||
		fail "CoreDNS $(ends "$DNS_IF" "$NS_DNS"), journal: $(cat "$STATE/journal.json" 2>/dev/null)"
}

# Cilium 1.17+ rewrites running Pods' MTUs itself: fix refuses to be a
# second writer (exit 2, one sentence), unless --force; nothing changed.
test_fix_refuses_on_cilium_without_force() {
	"$ROOT/tools/lab_cni.sh" up cilium failure >/dev/null || fail "no cilium lab" || return 1
	eval "$("$ROOT/tools/lab_cni.sh" env)"
	rm -rf "$STATE"
	fix_run --apply >"$WORK/out" 2>"$WORK/err"
	[[ $? == 2 ]] && grep -q "cilium rewrites running Pods' MTUs itself" "$WORK/err" &&
		[[ $(grep -c . "$WORK/err") == 1 ]] || fail "refusal: $(cat "$WORK/err")" || return 1
	[[ $(ends "$IF_B" "$NS_B") == "1500 1500" && ! -e $STATE/journal.json ]] ||
		fail "a refused fix changed the Pod: $(ends "$IF_B" "$NS_B")" || return 1
	# --force: the plan is made (and says it acts anyway).
	fix_run --force >"$WORK/out" 2>"$WORK/err"
	[[ $? == 1 ]] && grep -q "acting anyway" "$WORK/err" || fail "--force: $(cat "$WORK/err")"
}
