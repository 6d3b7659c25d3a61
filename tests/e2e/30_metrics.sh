# shellcheck shell=bash
# Confirmed drops (the kernel's PKT_TOO_BIG) and the Prometheus metrics.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

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

# A real Prometheus in the node netns scraping the watch's :19465 every second.
prometheus_start() {
	rm -rf "$WORK/tsdb"
	printf '%s\n' 'global:' '  scrape_interval: 1s' 'scrape_configs:' '  - job_name: mtuguard' \
		'    static_configs:' "      - targets: ['127.0.0.1:19465']" >"$WORK/prometheus.yml"
	nsenter --net="/run/netns/$NS_NODE" prometheus --config.file="$WORK/prometheus.yml" \
		--storage.tsdb.path="$WORK/tsdb" --web.listen-address=127.0.0.1:19090 \
		>"$WORK/prometheus.log" 2>&1 &
	PROMETHEUS_PID=$!
}
prometheus_stop() {
	kill "$PROMETHEUS_PID"
	wait "$PROMETHEUS_PID" 2>/dev/null
	PROMETHEUS_PID=
}
# An instant query ($1) into $WORK/query; fails unless Prometheus says success.
prometheus_query() {
	node curl -sf --get --data-urlencode "query=$1" http://127.0.0.1:19090/api/v1/query >"$WORK/query" &&
		[[ $(jq -r .status "$WORK/query") == success ]]
}

test_prometheus_scrapes_the_pod_counter() {
	lab incident
	start_watch --metrics 127.0.0.1:19465 || return 1
	prometheus_start
	in_ns "$NS_WEB" ping -q -c 4 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	local q="mtuguard_packets_total{pod_name=\"$WEB_POD\",hook=\"pod_ingress\",class=\"too_big\"}"
	scraped() { prometheus_query "$q" && [[ $(jq -r '.data.result[0].value[1]' "$WORK/query") == 4 ]]; }
	wait_for 30 scraped || fail "Prometheus did not scrape 4 (query: $(cat "$WORK/query" 2>/dev/null); log: $(tail -3 "$WORK/prometheus.log"))" || return 1
	prometheus_stop
	stop_watch
}

# The Grafana dashboard's every query, run against a real Prometheus that
# scraped a watch over the incident: each is valid and answers, and the
# panels show the lab's numbers (the losing Pod, the path MTU).
test_dashboard_queries_answer_from_prometheus() {
	lab incident
	start_watch --metrics 127.0.0.1:19465 || return 1
	prometheus_start
	local i expr bad=
	# After a first scrape, so that the counter rises under Prometheus's eyes.
	up() { prometheus_query 'up{job="mtuguard"}' && [[ $(jq -r '.data.result[0].value[1]' "$WORK/query") == 1 ]]; }
	wait_for 30 up || fail "Prometheus did not scrape the watch: $(tail -3 "$WORK/prometheus.log")" || return 1
	for i in 1 2 3 4 5 6; do
		in_ns "$NS_WEB" ip route flush cache
		in_ns "$NS_WEB" ping -q -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	done
	# And what the kernel drops itself (the node's 1400 route): confirmed drops.
	in_ns "$NS_WEB" ping -q -c 3 -i 0.2 -W 1 -M do -s 1422 "$ROUTED_IP" >/dev/null 2>&1
	wait_for 5 grep -q '"event":"confirmed_drops"' "$WATCH_OUT" || fail "no confirmed drops" || return 1
	local q="rate(mtuguard_packets_total{pod_name=\"$WEB_POD\",class=\"too_big\"}[5m])"
	rising() { prometheus_query "$q" && jq -e '[.data.result[].value[1] | tonumber] | max > 0' "$WORK/query" >/dev/null; }
	wait_for 30 rising || fail "Prometheus has no rate for the Pod: $(cat "$WORK/query" 2>/dev/null)" || return 1
	# Every query parses and returns data (a scrape or two may be needed
	# for the rates and the confirmed drops to show).
	answers() {
		bad=
		while read -r expr; do
			expr=${expr//\$node/.*}
			prometheus_query "$expr" && jq -e '.data.result | length > 0' "$WORK/query" >/dev/null ||
				bad+=" [$expr: $(jq -c '.error // .data.result' "$WORK/query" 2>/dev/null)]"
		done < <(jq -r '.panels[].targets[].expr' "$ROOT/deploy/grafana-dashboard.json")
		[[ -z $bad ]]
	}
	wait_for 30 answers || fail "queries with no answer:$bad" || return 1
	expr=$(jq -r '.panels[] | select(.id == 1) | .targets[0].expr' "$ROOT/deploy/grafana-dashboard.json")
	prometheus_query "${expr//\$node/.*}" &&
		[[ $(jq -r '[.data.result[] | select(.metric.hook == "pod_ingress") | .metric.pod_name] | unique | join(",")' "$WORK/query") == "$WEB_POD" ]] ||
		fail "the losing-Pods panel: $(cat "$WORK/query")" || return 1
	expr=$(jq -r '.panels[] | select(.id == 4) | .targets[0].expr' "$ROOT/deploy/grafana-dashboard.json")
	prometheus_query "${expr//\$node/.*}" && [[ $(jq -r '.data.result[0].value[1]' "$WORK/query") == 1450 ]] ||
		fail "the path MTU panel: $(cat "$WORK/query")" || return 1
	prometheus_stop
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

# A deleted Pod's counters are served for --metrics-keep-gone seconds (its
# last counts reach a scrape), then dropped: a node churning Pods does not
# grow the page without end. The living Pod's series stay.
test_deleted_pods_series_are_dropped_after_a_while() {
	lab incident
	start_watch --metrics 127.0.0.1:19465 --metrics-keep-gone 3 || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	node ip link del "$WEB_IF"
	wait_for 5 grep -q '"event":"pod_detached"' "$WATCH_OUT" || fail "no pod_detached" || return 1
	node curl -sf -o "$WORK/metrics" http://127.0.0.1:19465/metrics || fail "no /metrics" || return 1
	[[ $(metric_value "$WORK/metrics" "mtuguard_packets_total{iface=\"$WEB_IF\",pod_namespace=\"$WEB_NS\",pod_name=\"$WEB_POD\",hook=\"pod_ingress\",class=\"too_big\"}") == 2 ]] ||
		fail "the deleted Pod's last counts are not served: $(grep -c "$WEB_IF" "$WORK/metrics") lines" || return 1
	series_gone() {
		node curl -sf -o "$WORK/metrics" http://127.0.0.1:19465/metrics && ! grep -q "iface=\"$WEB_IF\"" "$WORK/metrics"
	}
	wait_for 15 series_gone || fail "the deleted Pod's series are still served: $(grep -c "$WEB_IF" "$WORK/metrics")" || return 1
	grep -q "iface=\"$DNS_IF\"" "$WORK/metrics" || fail "the living Pod's series went too" || return 1
	stop_watch
}
