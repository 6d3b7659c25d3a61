# shellcheck shell=bash
# mtuguard check: the audit on the bridge and Open vSwitch labs, Pod names, the CNI settings.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

check_json() { node "$MTUGUARD" check --json --host-root "$LAB_HOST" "$@" >"$WORK/check" 2>"$WORK/check.err"; }
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
	node "$MTUGUARD" check --host-root "$LAB_HOST" --ovsdb "$OVSDB_SOCK" >"$WORK/text" 2>&1
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
	[[ $(start_event | jq -r '.pods[] | select(.iface == "'"$DNS_IF"'") | .pod_source') == ovsdb ]] ||
		fail "watch did not name Pods from OVSDB"
}

# Antrea's bridging mode on Open vSwitch: Pod traffic to the uplink's side
# leaves by the NIC ens192~ at 1500 and is delivered, so it is not flagged
# (the internal port's 1450 is not its path); what is really lost is: to
# the stale 1450 Pod, and what the node routes on over its 1400 link.
test_ovs_bridging_flags_only_what_is_lost() {
	lab_ovs incident || return 1
	start_watch --ovsdb "$OVSDB_SOCK" || return 1
	in_ns "$NS_WEB" ping -q -c 5 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >"$WORK/ping" 2>&1
	grep -q ' 0% packet loss' "$WORK/ping" || fail "OVS did not deliver through the NIC: $(tail -2 "$WORK/ping")" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$DNS_IP" >/dev/null 2>&1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1422 "$ROUTED_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(alert_sum ".dst == \"$REMOTE_IP\"") == 0 ]] || fail "delivered traffic flagged: $(alerts | grep "$REMOTE_IP" | head -1)" || return 1
	[[ $(alert_sum ".dst == \"$DNS_IP\" and .limit == 1450 and .limit_source == \"local_pod_mtu\"") == 2 ]] ||
		fail "to the stale Pod: $(alerts)" || return 1
	[[ $(alert_sum ".dst == \"$ROUTED_IP\" and .limit == 1400 and .limit_source == \"route_mtu\"") -ge 1 ]] ||
		fail "the routed hop: $(alerts)"
}

# Without --uplink the default route's device is found; where it is a
# bridge (the lab's br-int), its port toward the fabric (a veth whose other
# end holds the gateway) is the uplink's NIC, never a Pod.
test_uplink_on_a_bridge_is_not_taken_for_a_pod() {
	lab incident
	node "$MTUGUARD" check --json --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" >"$WORK/check" 2>"$WORK/check.err"
	[[ $(jq -r '.uplink + " " + .uplink_nic' "$WORK/check") == "br-int $UPLINK" ]] ||
		fail "uplink: $(jq -c '{uplink, uplink_nic}' "$WORK/check")" || return 1
	[[ $(jq -c "[.pods[].iface] | sort" "$WORK/check") == "$(jq -nc --arg a "$DNS_IF" --arg b "$WEB_IF" '[$a, $b] | sort')" ]] ||
		fail "pods: $(jq -c '[.pods[].iface]' "$WORK/check")" || return 1
	[[ -z $(jq -c ".mismatches[] | select(.iface == \"$UPLINK\" and .pod)" "$WORK/check") ]] ||
		fail "the fabric port is named as a Pod: $(jq -c .mismatches "$WORK/check")"
}

# A FIFO named as antrea-agent.conf is refused at once, not waited on.
test_check_refuses_a_fifo_for_a_config() {
	lab incident
	mkfifo "$WORK/agent.conf"
	KEEP_LINKS=0 expect_refusal "not a regular file" timeout 10 "$MTUGUARD" check --antrea-config "$WORK/agent.conf"
}
