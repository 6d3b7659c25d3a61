# shellcheck shell=bash
# The DaemonSet manifest, and the watch with exactly its capabilities.
# Sourced by tests/e2e.sh, which has the helpers (tests/e2e/lib.sh).

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
		"($c.securityContext.capabilities.add | sort) == [\"BPF\", \"NET_ADMIN\", \"NET_BROADCAST\", \"PERFMON\"]"
		"$c.securityContext.readOnlyRootFilesystem == true"
		"[$c.volumeMounts[] | select(.mountPath | startswith(\"/host\")) | .readOnly] | (length > 0 and all)"
		"$c.args | index(\"--host-root=/host\") != null"
		"[$c.volumeMounts[] | select(.mountPath == \"/sys/fs/bpf\")] | length == 1"
		"$c.ports[0].containerPort == 9465"
		"$c.livenessProbe.httpGet.path == \"/healthz\" and $c.readinessProbe.httpGet.path == \"/readyz\""
		"$c.resources.requests.cpu != null and $c.resources.requests.memory != null and $c.resources.limits.memory != null"
		"$c.args | index(\"--metrics=:9465\") != null"
		"$c.args | index(\"--keep-attached\") != null"
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
	nsenter --net="/run/netns/$NS_NODE" setpriv --bounding-set="-all,$caps" -- "$MTUGUARD" watch --host-root "$LAB_HOST" \
		--json --pin "$PIN" --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" --metrics 127.0.0.1:19467 \
		>"$WATCH_OUT" 2>"$WATCH_ERR" &
	WATCH_PID=$!
	wait_for 10 watch_started || fail "no start with capabilities $caps: $(cat "$WATCH_ERR")" || return 1
	# As the kubelet does: the probe is polled (the server comes up just after the start event).
	wait_for 5 node curl -sf http://127.0.0.1:19467/readyz >/dev/null || fail "readiness probe failed" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch TERM || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "alerts with $caps: $(alerts)"
}

# deploy/uninstall.yaml: its detach, with exactly its capabilities, removes
# what the DaemonSet's --keep-attached watch left on the node.
test_uninstall_manifest_detaches_what_the_daemonset_kept() {
	local caps args=()
	kubectl label --local -f "$ROOT/deploy/uninstall.yaml" checked=yes -o json >"$WORK/un.json" 2>"$WORK/un.err" ||
		fail "kubectl cannot decode the manifest: $(cat "$WORK/un.err")" || return 1
	caps=$(jq -r '.spec.template.spec.initContainers[0].securityContext.capabilities.add | map("+" + ascii_downcase) | join(",")' "$WORK/un.json")
	mapfile -t args < <(jq -r '.spec.template.spec.initContainers[0].args[]' "$WORK/un.json" | sed "s|^--pin=.*|--pin=$PIN|")
	[[ ${args[0]} == detach ]] || fail "the uninstall does not run detach: ${args[*]}" || return 1
	lab incident
	start_watch --keep-attached || return 1
	stop_watch TERM || return 1
	[[ $(our_links) -eq 5 ]] || fail "the kept links: $(our_links), want 5" || return 1
	nsenter --net="/run/netns/$NS_NODE" setpriv --bounding-set="-all,$caps" -- "$MTUGUARD" "${args[@]}" >"$WORK/out" 2>&1 ||
		fail "detach with $caps failed: $(cat "$WORK/out")" || return 1
	[[ $(our_links) -eq 0 ]] || fail "links left: $(our_links)" || return 1
	[[ ! -e $PIN ]] || fail "pins left: $(ls -R "$PIN")"
}

test_help_and_readme_agree() {
	local cmd flag missing=
	for cmd in watch check fix stats detach; do
		grep -q "mtuguard $cmd" "$ROOT/README.md" || missing+=" $cmd"
		for flag in $("$MTUGUARD" "$cmd" --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
			grep -q -- "$flag" "$ROOT/README.md" || missing+=" $cmd$flag"
		done
	done
	[[ -z $missing ]] || fail "in --help but not in README.md:$missing"
}

# Without CAP_PERFMON the verifier refuses the TC programs: the watch says
# which capability is missing, before touching anything, and exits 2.
test_watch_without_perfmon_is_refused_naming_it() {
	lab incident
	expect_refusal "missing: CAP_PERFMON" setpriv --bounding-set="-all,+bpf,+net_admin" -- \
		"$MTUGUARD" watch --json --pin "$PIN" --uplink "$UPLINK" --cni-cache "$LAB_CNI_CACHE" || return 1
	[[ ! -e $PIN ]] || fail "pins left by a refused watch: $(ls "$PIN")"
}

# The README's layout table names every source file of user/ and bpf/, in
# the folder it is in, and nothing that is not there.
test_readme_layout_matches_the_tree() {
	local table row folder file missing= stale=
	table=$(sed -n '/^## Layout/,/^## /p' "$ROOT/README.md" | grep '^| `')
	for file in "$ROOT"/user/*/*.c "$ROOT"/bpf/*.bpf.c "$ROOT"/bpf/lib/*.bpf.h; do
		folder=${file#"$ROOT"/}
		folder=${folder%/*}
		row=$(grep -F "| \`$folder/" <<<"$table")
		grep -qF "\`$(basename "$file")\`" <<<"$row" || missing+=" $folder/$(basename "$file")"
	done
	while read -r folder; do
		[[ -d $ROOT/$folder ]] || stale+=" $folder"
		row=$(grep -F "| \`$folder/\`" <<<"$table")
		for file in $(grep -oE '`[a-z_]+\.(c|h|bpf\.c|bpf\.h)`' <<<"$row" | tr -d '`'); do
			[[ -e $ROOT/$folder/$file ]] || stale+=" $folder/$file"
		done
	done < <(grep -oE '^\| `user/[a-z]+/`' <<<"$table" | grep -oE 'user/[a-z]+')
	[[ -z $missing && -z $stale ]] || fail "README layout: not listed:$missing; listed but absent:$stale"
}

# The alert rules: valid for promtool, the PrometheusRule the same groups as
# the plain rules file, promtool's unit tests pass (series that fire and
# that must not), and every mtuguard metric they use is one a watch serves.
test_alert_rules_are_valid_tested_and_agree() {
	local plain=$ROOT/deploy/prometheus/mtuguard.rules.yml name missing=
	python3 - "$plain" "$ROOT/deploy/prometheus-rules.yaml" "$WORK/operator.rules.yml" <<'PY' || fail "the PrometheusRule and the rules file differ" || return 1
import sys, yaml
plain = yaml.safe_load(open(sys.argv[1]))
op = yaml.safe_load(open(sys.argv[2]))
assert op["kind"] == "PrometheusRule"
yaml.safe_dump({"groups": op["spec"]["groups"]}, open(sys.argv[3], "w"))
sys.exit(0 if plain["groups"] == op["spec"]["groups"] else 1)
PY
	promtool check rules "$plain" "$WORK/operator.rules.yml" >"$WORK/promtool" 2>&1 || fail "promtool check: $(cat "$WORK/promtool")" || return 1
	promtool test rules "$ROOT/tests/prometheus/rules_test.yml" >"$WORK/promtool" 2>&1 || fail "promtool test: $(cat "$WORK/promtool")" || return 1
	lab incident
	start_watch --metrics 127.0.0.1:19465 || return 1
	node curl -sf -o "$WORK/metrics" http://127.0.0.1:19465/metrics || fail "no /metrics" || return 1
	stop_watch || return 1
	for name in $(grep -oE 'mtuguard_[a-z_]+' "$plain" | sort -u); do
		grep -q "^# TYPE $name " "$WORK/metrics" || missing+=" $name"
	done
	[[ -z $missing ]] || fail "rules use metrics a watch does not serve:$missing"
}
