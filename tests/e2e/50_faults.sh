# shellcheck shell=bash
# Faults: veths, the uplink and OVSDB going away mid-run, two watches at once.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

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
	# The Pod knows the remote host's MAC from before: it still sends.
	in_ns "$NS_WEB" ping -q -c 1 -W 1 "$REMOTE_IP" >/dev/null 2>&1
	node ip link del "$UPLINK"
	wait_for 5 grep -q 'was deleted' "$WATCH_ERR" || fail "no word on the uplink's deletion" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	# The limits hold while it is gone: the path MTU is the uplink's last
	# 1450, not 0 ("no limit").
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || fail "the watch did not survive losing its uplink: $(cat "$WATCH_ERR")" || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\" and .dst == \"$REMOTE_IP\" and .limit == 1450") == 3 ]] ||
		fail "off-node packets while the uplink was gone: $(alerts | grep "$REMOTE_IP")" || return 1
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
	# To the stale 1450 Pod: lost on br-int (to the fabric, OVS delivers it by
	# the NIC at 1500, and that is not flagged).
	in_ns "$LAB_PREFIX-pod-db" ping -q -c 1 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alerts | jq -r "select(.iface == \"$ifname\") | .pod.name" | head -1) == db-6c9f8d7b5-q2x4z ]] ||
		fail "the Pod added after the restart is not named: $(alerts | grep "$ifname")"
}

test_fault_two_watches_at_once_never_double() {
	lab incident
	local out2=$WORK/second.out err2=$WORK/second.err
	# Two started together on one pin directory: one runs, one refuses.
	nsenter --net="/run/netns/$NS_NODE" "$MTUGUARD" watch --json --host-root "$LAB_HOST" --pin "$PIN" --uplink "$UPLINK" \
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

# Another pin directory's detach (or watch) leaves a running watch's clsact
# filters alone: a filter is a directory's only when it runs a program that
# directory pinned.
test_another_pin_dir_leaves_a_watchs_filters_alone() {
	lab incident
	start_watch --attach tc || return 1
	[[ $(our_filters) -eq 5 ]] || fail "expected 5 filters, saw $(our_filters)" || return 1
	node "$MTUGUARD" detach --pin "$PIN2" >/dev/null || fail "detach of another pin dir failed" || return 1
	[[ $(our_filters) -eq 5 ]] || fail "another pin dir's detach removed filters: $(our_filters) left" || return 1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\" and .hook == \"pod_ingress\"") == 3 ]] ||
		fail "the watch went blind: $(alerts)" || return 1
	[[ $(our_filters) -eq 0 ]] || fail "filters left after a clean exit: $(our_filters)"
}

# The uplink deleted and made again: the new one is the uplink again, not
# a Pod (a re-created veth was adopted as one), and its hook is attached
# again, so what it carries from the fabric is watched.
test_fault_uplink_recreated_is_watched_again() {
	lab incident
	start_watch || return 1
	node ip link del "$UPLINK"
	wait_for 5 grep -q 'was deleted' "$WATCH_ERR" || fail "no word on the deletion" || return 1
	# Back at 1500 (a veth drops at its own MTU what arrives larger, so the
	# fabric's 1500-byte frames reach the hook only so).
	node ip link add "$UPLINK" mtu 1500 type veth peer name eth0 mtu 1500 netns "$NS_REMOTE"
	node ip link set "$UPLINK" master br-int up
	in_ns "$NS_REMOTE" ip addr add "$REMOTE_IP/24" dev eth0
	in_ns "$NS_REMOTE" ip link set eth0 up
	wait_for 5 grep -q "$UPLINK is back" "$WATCH_ERR" || fail "the uplink was not known again: $(cat "$WATCH_ERR")" || return 1
	# From the fabric to the stale 1450 Pod: the re-attached uplink hook sees it.
	in_ns "$NS_REMOTE" ping -q -c 3 -i 0.2 -W 0.3 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ -z $(jq -c "select(.event == \"pod_attached\" and .iface == \"$UPLINK\")" "$WATCH_OUT") ]] ||
		fail "the new uplink was taken for a Pod" || return 1
	[[ $(alert_sum ".hook == \"uplink_ingress\" and .iface == \"$UPLINK\" and .limit == 1450") == 3 ]] ||
		fail "the new uplink is not watched: $(alerts | grep uplink_ingress | head -2)" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)"
}
