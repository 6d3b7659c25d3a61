# shellcheck shell=bash
# The incident and the hooks: what is flagged and counted, what is not, detach, bad input.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

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
	ip netns exec "$NS_WEB" nstat -n # the Pod's TCP counters from here on
	iperf3_run || fail "iperf3 failed: $(head -c 300 "$WORK/iperf3.json")" || return 1
	local bytes segs fits
	# Every TCP segment the Pod put on the wire, retransmissions included.
	segs=$(ip netns exec "$NS_WEB" nstat -az TcpOutSegs TcpRetransSegs | awk '/Tcp(Out|Retrans)Segs/ {s += $2} END {print s}')
	stop_watch || return 1
	bytes=$(jq '.end.sum_received.bytes' "$WORK/iperf3.json")
	[[ $bytes -gt 1000000 ]] || fail "iperf3 moved only $bytes bytes" || return 1
	[[ -z $(alerts) ]] || fail "alerts on a consistent node: $(alerts | head -2)" || return 1
	fits=$(summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.fits')
	# Wire-exact: a GSO packet counts as its segments, so the count is the
	# Pod's TCP segments, plus its few other packets (ICMPv6).
	note "the Pod sent $segs TCP segments; pod_ingress counted $fits packets that fit"
	((fits >= segs && fits <= segs + 20)) || fail "counted $fits packets for $segs TCP segments on the wire"
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

test_sigkilled_watch_is_taken_over_not_stacked() {
	lab incident
	start_watch || return 1
	stop_watch KILL
	# Pinned links keep the node observed after the kill ...
	[[ $(our_links) -eq 5 ]] || fail "links did not outlive the killed watch: $(our_links)" || return 1
	# ... and the next watch takes them over instead of adding a second copy.
	start_watch || return 1
	[[ $(start_event | jq .taken_over) == 5 ]] ||
		fail "the dead watch's hooks were not taken over: $(head -c 300 "$WATCH_OUT")" || return 1
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
	# A VXLAN device has no native XDP: refused, and the Pods' hooks rolled
	# back. (br-int is no longer the example: frames from the fabric are
	# watched on its fabric port, a veth, which has native XDP.)
	expect_refusal "has no native XDP" "${w[@]}" --uplink rt0 --uplink-xdp || return 1
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

# A watch that stopped cleanly keeps only its maps (for stats): the next one
# replaces them without warning of hooks an earlier watch "left".
test_restart_after_clean_exit_warns_of_nothing() {
	lab incident
	start_watch || return 1
	stop_watch || return 1
	[[ -e $PIN/mg_counters ]] || fail "the maps were not kept for stats" || return 1
	start_watch || return 1
	stop_watch || return 1
	! grep -q 'replaced' "$WATCH_ERR" || fail "second watch: $(cat "$WATCH_ERR")"
}

# The one JSON vocabulary: every line a watch, check, detach or a refusal
# prints in --json mode is an object with "time" (RFC 3339, UTC) and "event".
test_every_json_event_has_time_and_event() {
	lab incident
	start_watch || return 1
	in_ns "$NS_WEB" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	"$ROOT/tools/lab.sh" add-pod api 1500 10.77.0.13 fd77::13 >/dev/null
	wait_for 5 grep -q '"event":"pod_attached"' "$WATCH_OUT" || fail "no pod_attached" || return 1
	stop_watch || return 1
	node "$MTUGUARD" check --json --host-root "$LAB_HOST" --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" >>"$WATCH_OUT"
	node "$MTUGUARD" detach --json --pin "$PIN" >>"$WATCH_OUT"
	node "$MTUGUARD" watch --json --pin "$PIN" --uplink nosuchif0 >>"$WATCH_OUT" 2>/dev/null
	local events bad
	events=$(jq -r '.event' "$WATCH_OUT" | sort -u | tr '\n' ' ')
	for e in check start too_big pod_attached summary detach error; do
		[[ " $events" == *" $e "* ]] || fail "no $e event among: $events" || return 1
	done
	bad=$(jq -c 'select((.time | type) != "string" or (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$") | not) or (.event | type) != "string")' "$WATCH_OUT")
	[[ -z $bad ]] || fail "events without a time: $bad"
}

# detach and stats touch only a directory on bpffs: a scratch directory of
# ordinary files, '' and a relative path are refused, and nothing is removed.
test_detach_refuses_a_pin_dir_off_bpffs() {
	lab incident
	mkdir -p "$WORK/pins/links"
	echo notes >"$WORK/pins/links/notes.txt"
	echo data >"$WORK/pins/mg_counters"
	expect_refusal "not a directory on a bpf filesystem" "$MTUGUARD" detach --pin "$WORK/pins" || return 1
	[[ -f $WORK/pins/links/notes.txt && -f $WORK/pins/mg_counters ]] || fail "detach removed ordinary files" || return 1
	expect_refusal "absolute path" "$MTUGUARD" detach --pin '' || return 1
	expect_refusal "absolute path" "$MTUGUARD" detach --pin . || return 1
	expect_refusal "not a directory on a bpf filesystem" "$MTUGUARD" stats --pin "$WORK/pins"
}

# Maps pinned by another version (a larger value) are refused by stats in
# one sentence, not read into a buffer sized for this one.
test_stats_refuses_maps_of_another_version() {
	lab incident
	mkdir -p "$PIN"
	grep -q ' /sys/fs/bpf type bpf' <<<"$(mount)" || mount -t bpf bpf /sys/fs/bpf
	bpftool map create "$PIN/mg_counters" type percpu_array key 4 value 200 entries 8 name mg_counters ||
		fail "bpftool map create" || return 1
	bpftool map create "$PIN/mg_stats" type percpu_array key 4 value 8 entries 3 name mg_stats || return 1
	expect_refusal "are from another version of mtuguard \(mg_counters holds 200-byte values" \
		"$MTUGUARD" stats --pin "$PIN"
}

# A bad Pod map and a bad cache file while unnamed Pods make the watch read
# its sources again and again: each said once, as a warning, never as an
# {"event": "error"} line (that event is why a watch ended).
test_bad_sources_are_said_once_as_warnings() {
	lab incident
	printf '{"vethx": {"namespace": 7}}' >"$WORK/bad-map.json"
	printf '{"kind": "cniCacheV1", "cniArgs": [' >"$LAB_CNI_CACHE/results/antrea-garbage-eth0"
	start_watch --pod-map "$WORK/bad-map.json" || return 1
	# An unnamed Pod: its name is looked for again and again (backoff from 10 ms).
	ip netns add "$LAB_PREFIX-pod-x"
	node ip link add vethx mtu 1500 type veth peer name eth0 netns "$LAB_PREFIX-pod-x"
	node ip link set vethx up
	wait_for 5 has_attached vethx || fail "no attach" || return 1
	# At least five reads have passed once a ping to a remote host has
	# been answered three times after the attach (bounded by wait_for).
	wait_for 5 in_ns "$NS_WEB" ping -q -c 3 -i 0.3 -W 1 "$REMOTE_IP" >/dev/null
	stop_watch || return 1
	[[ -z $(jq -c 'select(.event == "error")' "$WATCH_OUT") ]] || fail "error events: $(jq -c 'select(.event == "error")' "$WATCH_OUT" | head -2)" || return 1
	[[ $(grep -c 'skipping .*antrea-garbage-eth0' "$WATCH_ERR") == 1 ]] ||
		fail "the cache file was complained about $(grep -c 'skipping .*antrea-garbage-eth0' "$WATCH_ERR") times" || return 1
	[[ $(grep -c 'ignoring the Pod map' "$WATCH_ERR") == 1 ]] ||
		fail "the Pod map was complained about $(grep -c 'ignoring the Pod map' "$WATCH_ERR") times"
}
