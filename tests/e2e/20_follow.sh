# shellcheck shell=bash
# Following the node: Pods that appear and go, MTU changes, drift.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

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
	note "attach gap $gap_ms ms from 'ip link add' to the pod_attached event"
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
	[[ $(watch_events | jq -s '[.[] | select(.event == "drift" and .kind == "pod_mtu_above_path_mtu" and .path_mtu == 1450)] | length') == 2 ]] ||
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

# A route that appears while the watch runs is a destination's limit at
# once: the Pod's 1350-byte DF packets to a prefix the node routes over its
# 1400 link with mtu 1300 are flagged against 1300.
test_route_added_while_watching_is_a_limit_at_once() {
	lab incident
	start_watch || return 1
	node ip route add 10.56.0.0/24 dev rt0 mtu 1300
	in_ns "$NS_WEB" ip route add 10.56.0.0/24 via "$NODE_IP"
	# Bounded wait for the watch to have taken it in: the start event
	# lists routes, a new one shows in the watch's own route table only,
	# so send until an alert comes (at most 5 s).
	wait_for 5 sh -c "ip netns exec $NS_WEB ping -q -c 1 -W 0.2 -M do -s 1322 10.56.0.1 >/dev/null 2>&1; grep -q '\"dst\":\"10.56.0.1\"' $WATCH_OUT" ||
		fail "no alert for the new route's prefix" || return 1
	stop_watch || return 1
	[[ $(alerts | jq -r 'select(.dst == "10.56.0.1") | "\(.limit) \(.limit_source)"' | sort -u) == "1300 route_mtu" ]] ||
		fail "limit: $(alerts | grep 10.56.0.1 | head -1)"
}

# A new Pod whose address (and Pod-end MTU) come after its veth, as CNI
# plugins configure them: the watch learns them from the Pod's namespace
# (events it receives only when its socket's opener held CAP_NET_BROADCAST)
# and flags a 1420-byte DF ping from the web Pod to the new 1400-MTU Pod.
# $@: what runs the watch (nothing: root; setpriv: the DaemonSet's caps).
late_address_is_learned() {
	lab incident
	: >"$WATCH_OUT"
	: >"$WATCH_ERR"
	nsenter --net="/run/netns/$NS_NODE" "$@" "$MTUGUARD" watch --json --host-root "$LAB_HOST" \
		--pin "$PIN" --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" >"$WATCH_OUT" 2>"$WATCH_ERR" &
	WATCH_PID=$!
	wait_for 10 watch_started || fail "no start: $(cat "$WATCH_ERR")" || return 1
	ip netns add "$LAB_PREFIX-pod-late"
	node ip link add vethlate mtu 1500 type veth peer name eth0 mtu 1500 netns "$LAB_PREFIX-pod-late"
	node ip link set vethlate master br-int up
	wait_for 5 has_attached vethlate || fail "the veth was not attached" || return 1
	# Now the Pod end's MTU and address, from inside the Pod: nothing
	# changes on the node's side, so only the Pod's namespace tells.
	ip -n "$LAB_PREFIX-pod-late" link set eth0 mtu 1400 up
	ip -n "$LAB_PREFIX-pod-late" addr add 10.77.0.16/24 dev eth0
	# (The veth itself flags what it drops at pod_egress either way: the
	# Pod end's MTU is read when its link event comes. What only the
	# address tells is the sender's side: pod_ingress, the local Pod's MTU.)
	wait_for 5 sh -c "ip netns exec $NS_WEB ping -q -c 1 -W 0.2 -M do -s 1392 10.77.0.16 >/dev/null 2>&1; grep '\"dst\":\"10.77.0.16\"' $WATCH_OUT | grep -q '\"hook\":\"pod_ingress\"'" ||
		fail "the late address was never a local destination: $(alerts | tail -2)" || return 1
	stop_watch TERM || return 1
	[[ $(alerts | jq -r 'select(.dst == "10.77.0.16" and .hook == "pod_ingress") | "\(.limit) \(.limit_source)"' | sort -u) == "1400 local_pod_mtu" ]] ||
		fail "limit: $(alerts | grep 10.77.0.16 | head -1)" || return 1
	! grep -q 'no CAP_NET_BROADCAST' "$WATCH_ERR" || fail "stderr: $(cat "$WATCH_ERR")"
}

test_late_pod_address_is_learned_as_root() { late_address_is_learned; }

test_late_pod_address_is_learned_with_the_daemonsets_capabilities() {
	daemonset_json || return 1
	local caps
	caps=$(jq -r '.spec.template.spec.containers[0].securityContext.capabilities.add | map("+" + ascii_downcase) | join(",")' "$WORK/ds.json")
	late_address_is_learned setpriv --bounding-set="-all,$caps" --
}

# Renaming a watched Pod veth is the same interface: its hooks stay and it
# is counted throughout (it was taken for a new Pod, whose attach failed
# with EEXIST and released every hook on the ifindex).
test_renamed_pod_veth_is_followed_as_the_same_interface() {
	lab incident
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	node ip link set "$WEB_IF" down
	node ip link set "$WEB_IF" name webrenamed
	node ip link set webrenamed up
	# Bounded: the rename is taken in when the renamed veth's alerts come.
	in_ns "$NS_WEB" ping -q -c 4 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	wait_for 5 grep -q '"iface":"webrenamed"' "$WATCH_OUT" || fail "no alert under the new name" || return 1
	stop_watch || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)" || return 1
	[[ $(summary_field '.iface == "webrenamed" and .hook == "pod_ingress"' '.[0].packets.too_big') == 7 ]] ||
		fail "counted: $(jq -c 'select(.event == "summary") | .interfaces' "$WATCH_OUT")"
}

# A Pod's veth moved out of the node's netns is one detach, said once,
# however many events the move makes (the peer's, the netns's).
test_veth_moved_out_is_detached_once() {
	lab incident
	start_watch || return 1
	ip netns add "$LAB_PREFIX-elsewhere"
	node ip link set "$WEB_IF" netns "$LAB_PREFIX-elsewhere"
	wait_for 5 grep -q '"event":"pod_detached"' "$WATCH_OUT" || fail "no pod_detached within 5 s" || return 1
	# Something later to follow: by the time it is attached, every event
	# of the move has been read.
	local ifname
	ifname=$("$ROOT/tools/lab.sh" add-pod api 1500 10.77.0.13 fd77::13 | tail -1)
	wait_for 5 has_attached "$ifname" || fail "$ifname was not attached within 5 s" || return 1
	stop_watch || return 1
	ip netns del "$LAB_PREFIX-elsewhere"
	[[ $(jq -s "map(select(.event == \"pod_detached\" and .iface == \"$WEB_IF\")) | length" "$WATCH_OUT") == 1 ]] ||
		fail "pod_detached for $WEB_IF: $(grep pod_detached "$WATCH_OUT")" || return 1
	! grep -q "cannot attach" "$WATCH_ERR" || fail "tried to attach the veth that left: $(cat "$WATCH_ERR")"
}
