#!/usr/bin/env bash
# `make demo`: the incident in namespaces, caught live. Builds the lab (a node
# whose uplink port was dragged down to 1450, an old Pod at 1450, a new Pod at
# 1500), runs `mtuguard watch` on the node, sends the ping mesh's 1500-byte DF
# ping from the new Pod, shows the alert naming it, then the opt-in assist
# answering for the bridge, then `fix` and its undo, and tears everything down.
#
# `make demo SWITCH=ovs`: the same node on Open vSwitch's userspace datapath,
# where OVS itself drags the uplink port down; `mtuguard check` explains it,
# the remedy it prints is applied, and check comes back clean.
set -euo pipefail
SWITCH=${1:-bridge}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export LAB_PREFIX=mtgdemo
export LAB_DIR=/run/mtgdemo-lab
PIN=/sys/fs/bpf/mtgdemo
OUT=$(mktemp /tmp/mtgdemo.XXXXXX)
WATCH_PID=

if [[ $EUID != 0 ]]; then
	echo "demo: needs root (namespaces and BPF): sudo make demo" >&2
	exit 2
fi

cleanup() {
	[[ -n $WATCH_PID ]] && kill -KILL "$WATCH_PID" 2>/dev/null
	"$ROOT/tools/lab.sh" down
	rm -rf "$PIN" "$OUT"
}
trap cleanup EXIT
eval "$("$ROOT/tools/lab.sh" env)"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
on_node() { nsenter --net="/run/netns/$NS_NODE" "$@"; }

if [[ $SWITCH == ovs ]]; then
	say "Building the incident on Open vSwitch: NIC ens192~ at 1500 in br-int, internal port ens192 without mtu_request, $DNS_POD at 1450, $WEB_POD at 1500"
	"$ROOT/tools/lab.sh" up incident ovs
	say "mtuguard check (names Pods from the lab's OVSDB, $OVSDB_SOCK)"
	on_node "$ROOT/mtuguard" check --host-root "$LAB_HOST" --ovsdb "$OVSDB_SOCK" || echo "(exit $?: inconsistent)"
	say "The remedy it prints: kubectl -n $DNS_NS delete pod $DNS_POD (the lab restarts the Pod)"
	"$ROOT/tools/lab.sh" restart-pod
	say "mtuguard check again"
	on_node "$ROOT/mtuguard" check --host-root "$LAB_HOST" --ovsdb "$OVSDB_SOCK" && echo "(exit 0: consistent)"
	exit 0
elif [[ $SWITCH != bridge ]]; then
	echo "demo: SWITCH is bridge or ovs, not '$SWITCH'" >&2
	exit 2
fi

say "Building the incident: noEncap node, uplink $UPLINK at 1450, $DNS_POD at 1450, $WEB_POD at 1500"
"$ROOT/tools/lab.sh" up incident

# Starts a watch on the node with "$@" and waits (10 s at most) for its
# banner; exits the demo if it does not come.
start_watch() {
	nsenter --net="/run/netns/$NS_NODE" "$ROOT/mtuguard" watch --host-root "$LAB_HOST" --uplink "$UPLINK" \
		--cni-cache "$LAB_CNI_CACHE" --pin "$PIN" "$@" >"$OUT" 2>&1 &
	WATCH_PID=$!
	for _ in $(seq 100); do
		grep -q 'Ctrl-C to stop' "$OUT" && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$OUT"
	echo "demo: mtuguard watch did not start" >&2
	exit 1
}
stop_watch() {
	kill -INT "$WATCH_PID"
	wait "$WATCH_PID" || true
	WATCH_PID=
}

say "mtuguard watch on the node (namespace $NS_NODE)"
start_watch
cat "$OUT"

say "The ping mesh from the new Pod: ping -M do -s 1472 (1500-byte DF packets) to $REMOTE_IP"
ip netns exec "$NS_WEB" ping -c 3 -i 0.3 -W 1 -M do -s 1472 "$REMOTE_IP" || true
echo "(no reply: the bridge drops the 1500-byte frames at the 1450 uplink port, silently)"

say "The same ping at 1450 bytes fits, and raises nothing"
ip netns exec "$NS_WEB" ping -c 1 -W 1 -M do -s 1422 "$REMOTE_IP" | grep -E 'received'

say "mtuguard's alerts and summary (after Ctrl-C)"
stop_watch
sed -n '/too_big/,$p' "$OUT"

say "Before the real fix, the opt-in assist: mtuguard watch --assist answers for the silent bridge"
start_watch --assist
grep -E 'ASSIST ON' "$OUT" || true
ip netns exec "$NS_WEB" ip route flush cache
ip netns exec "$NS_WEB" ping -c 2 -i 0.3 -W 1 -M do -s 1472 "$REMOTE_IP" 2>&1 | grep -E 'Frag needed|too long' || true
echo "(the Pod was told the path MTU, as a router would have; its route now says:)"
ip netns exec "$NS_WEB" ip route get "$REMOTE_IP" | grep -oE 'mtu [0-9]+' || true
stop_watch
ip netns exec "$NS_WEB" ip route flush cache

FIX=("$ROOT/mtuguard" fix --host-root "$LAB_HOST" --cni-cache "$LAB_CNI_CACHE" --state-dir "$LAB_DIR/fix-state")
say "The remedy without a restart: mtuguard fix prints its plan (nothing is changed yet)"
on_node "${FIX[@]}" || echo "(exit $?: something to do)"

say "mtuguard fix --apply: the new Pod lowered live to the path's 1450 (its Pod end first), then the audit again"
on_node "${FIX[@]}" --apply && echo "(exit 0: consistent)"

say "The ping mesh again: full-size packets at the new MTU get through, to the remote host and to CoreDNS"
ip netns exec "$NS_WEB" ping -c 2 -i 0.3 -W 1 -M do -s 1422 "$REMOTE_IP" | grep -E 'received'
ip netns exec "$NS_WEB" ping -c 2 -i 0.3 -W 1 -M do -s 1422 "$DNS_IP" | grep -E 'received'
echo "and a 1500-byte DF packet is now refused inside the Pod, where TCP and PMTU discovery act on it:"
ip netns exec "$NS_WEB" ping -c 1 -W 1 -M do -s 1472 "$REMOTE_IP" 2>&1 | grep -E 'too long' || true

say "mtuguard fix --undo: every MTU back as it was (the black hole included)"
on_node "${FIX[@]}" --undo
