# shellcheck shell=bash
# Restarting a watch over the hooks an earlier one left (--keep-attached, or
# it died): taken over in place, with no gap and with the counts going on.

# The link ids of our programs' links, sorted: the same ids after a
# restart mean the links were updated in place, not detached and made anew.
our_link_ids() {
	local progs
	progs=$(bpftool prog show --json | jq -c '[.[] | select(.name | test("^mg_(pod|uplink)_")) | .id]')
	bpftool link show --json | jq -c --argjson p "$progs" '[.[] | select(.prog_id as $i | $p | index($i)) | .id] | sort'
}
our_prog_ids() { bpftool prog show --json | jq -c '[.[] | select(.name | test("^mg_(pod|uplink)_")) | .id] | sort'; }
taken_over() { start_event | jq .taken_over; }
web_too_big() { summary_field ".iface == \"$WEB_IF\" and .hook == \"pod_ingress\"" '.[0].packets.too_big'; }

# Samples our links into $WORK/links.samples until $WORK/links.stop exists.
sample_links() {
	rm -f "$WORK/links.stop"
	: >"$WORK/links.samples"
	(while [[ ! -e $WORK/links.stop ]]; do our_links >>"$WORK/links.samples"; done) &
	SAMPLER_PID=$!
}
stop_sampling() {
	touch "$WORK/links.stop"
	wait "$SAMPLER_PID"
	SAMPLER_PID=
}

test_restart_with_keep_attached_loses_no_packet_and_never_doubles_a_hook() {
	local sent=60 ping_pid alerted i
	lab incident
	start_watch --keep-attached || return 1
	sample_links
	# 60 DF packets of 1500 bytes over 3 s: the web Pod's path takes 1450.
	in_ns "$NS_WEB" ping -q -c "$sent" -i 0.05 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1 &
	ping_pid=$!
	# A part of the packets before the restart: the first watch has alerted.
	wait_for 5 grep -q '"event":"too_big"' "$WATCH_OUT" || fail "the first watch saw nothing" || return 1
	stop_watch || return 1
	cp "$WATCH_OUT" "$WORK/first.out"
	# No watch runs now: the hooks must still be there, each once.
	for i in 1 2 3; do
		echo "between: $(our_links)" >>"$WORK/links.samples"
	done
	start_watch || return 1
	wait "$ping_pid"
	stop_sampling
	stop_watch || return 1
	[[ $(taken_over) == 5 ]] || fail "taken over: $(taken_over), want 5" || return 1
	[[ $(grep -c . "$WORK/links.samples") -ge 5 ]] || fail "too few samples" || return 1
	! grep -qvE '(^| )5$' "$WORK/links.samples" ||
		fail "a hook was missing or doubled: $(sort "$WORK/links.samples" | uniq -c | tr '\n' ' ')" || return 1
	[[ $(web_too_big) == "$sent" ]] || fail "the web Pod's too_big count after the restart: $(web_too_big), sent $sent" || return 1
	# Each packet is in exactly one watch's alerts: the first one's flushed
	# at its exit, the gap's from the ring buffer and the folded counts.
	alerted=$(cat "$WORK/first.out" "$WATCH_OUT" | jq -s "map(select(.event == \"too_big\" and .pod.name == \"$WEB_POD\")) | map(.count) | add // 0")
	[[ $alerted == "$sent" ]] || fail "alerts count $alerted packets over both watches, sent $sent" || return 1
	[[ $(our_links) -eq 0 ]] || fail "the second watch (no --keep-attached) left $(our_links) links"
}

test_restart_with_new_programs_updates_each_link_in_place() {
	local links progs
	lab incident
	start_watch --keep-attached || return 1
	stop_watch || return 1
	links=$(our_link_ids)
	progs=$(our_prog_ids)
	[[ $(jq length <<<"$links") == 5 ]] || fail "links kept: $links" || return 1
	# Another sample interval is another program: loaded, and swapped into
	# the same links (BPF_LINK_UPDATE), none detached.
	start_watch --keep-attached --sample-interval 500 || return 1
	[[ $(taken_over) == 5 ]] || fail "taken over: $(taken_over), want 5" || return 1
	[[ $(our_link_ids) == "$links" ]] || fail "links $(our_link_ids), were $links: not updated in place" || return 1
	[[ $(our_prog_ids) != "$progs" ]] || fail "the programs are still the first watch's: $progs" || return 1
	[[ $(jq length <<<"$(our_prog_ids)") == 3 ]] || fail "programs left loaded: $(our_prog_ids)" || return 1
	# The same build and options again: the programs the hooks run are reused.
	stop_watch || return 1
	progs=$(our_prog_ids)
	start_watch --keep-attached --sample-interval 500 || return 1
	[[ $(our_prog_ids) == "$progs" ]] || fail "programs $(our_prog_ids), were $progs: not reused" || return 1
	[[ $(our_link_ids) == "$links" ]] || fail "links changed on reuse" || return 1
}

test_keep_attached_leaves_the_node_watched_until_detach() {
	lab incident
	start_watch --keep-attached || return 1
	start_event | jq -e '.keep_attached == true' >/dev/null ||
		fail "the start event does not say keep_attached" || return 1
	stop_watch || return 1
	[[ $(our_links) -eq 5 ]] || fail "links kept: $(our_links), want 5" || return 1
	# The node is still watched: the kept programs count what is sent now.
	in_ns "$NS_WEB" ping -q -c 4 -i 0.05 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	node "$MTUGUARD" stats --json --pin "$PIN" --cni-cache "$LAB_CNI_CACHE" >"$WORK/stats" ||
		fail "stats failed" || return 1
	[[ $(jq ".interfaces | map(select(.iface == \"$WEB_IF\" and .hook == \"pod_ingress\"))[0].packets.too_big" "$WORK/stats") == 4 ]] ||
		fail "stats after the watch exited: $(cat "$WORK/stats")" || return 1
	node "$MTUGUARD" detach --pin "$PIN" >/dev/null || fail "detach failed" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left after detach: $(our_links)" || return 1
	[[ ! -e $PIN ]] || fail "pin dir left: $(ls -R "$PIN")"
}

test_pod_deleted_between_watches_is_not_taken_over() {
	lab incident
	start_watch --keep-attached || return 1
	stop_watch || return 1
	ip netns del "$NS_DNS" # its veth goes, and with it the links' device
	wait_for 5 bash -c "! nsenter --net=/run/netns/$NS_NODE ip link show $DNS_IF >/dev/null 2>&1" ||
		fail "the DNS Pod's veth did not go" || return 1
	start_watch || return 1
	[[ $(taken_over) == 3 ]] || fail "taken over: $(taken_over), want 3 (web's two and the uplink)" || return 1
	[[ -z $(ls "$PIN/links" | grep -F "$DNS_IF") ]] || fail "the gone Pod's pins are left: $(ls "$PIN/links")" || return 1
	[[ $(our_links) -eq 3 ]] || fail "links: $(our_links), want 3"
}

test_restart_with_clsact_replaces_each_filter_in_place() {
	lab incident
	start_watch --attach tc --keep-attached || return 1
	stop_watch || return 1
	[[ $(our_filters) -eq 5 ]] || fail "filters kept: $(our_filters), want 5" || return 1
	start_watch --attach tc --sample-interval 500 || return 1
	[[ $(taken_over) == 5 ]] || fail "taken over: $(taken_over), want 5" || return 1
	[[ $(our_filters) -eq 5 ]] || fail "filters: $(our_filters), want 5 (replaced, not added)" || return 1
	in_ns "$NS_WEB" ping -q -c 3 -i 0.05 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch || return 1
	[[ $(web_too_big) == 3 ]] || fail "too_big after the replacement: $(web_too_big), want 3" || return 1
	[[ $(our_filters) -eq 0 ]] || fail "filters left: $(our_filters)"
}

test_maps_of_another_layout_are_replaced_not_reused() {
	lab incident
	start_watch --keep-attached || return 1
	stop_watch || return 1
	# What an older mtuguard leaves: an mg_node of another size.
	rm "$PIN/mg_node"
	bpftool map create "$PIN/mg_node" type array key 4 value 8 entries 1 name mg_node ||
		fail "cannot make the old map" || return 1
	start_watch || return 1
	grep -q "another mtuguard version" "$WATCH_ERR" || fail "no word on the other version: $(cat "$WATCH_ERR")" || return 1
	[[ $(taken_over) == 0 ]] || fail "taken over $(taken_over) hooks of another layout" || return 1
	[[ $(our_links) -eq 5 ]] || fail "links: $(our_links), want 5 (replaced, not stacked)"
}
