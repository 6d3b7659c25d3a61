#!/usr/bin/env bash
# `make demo`: the incident in namespaces, caught live. Builds the lab (a node
# whose uplink port was dragged down to 1450, an old Pod at 1450, a new Pod at
# 1500), runs `mtuguard watch` on the node, sends the ping mesh's 1500-byte DF
# ping from the new Pod, shows the alert naming it, and tears everything down.
set -euo pipefail
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

say "Building the incident: noEncap node, uplink $UPLINK at 1450, $DNS_POD at 1450, $WEB_POD at 1500"
"$ROOT/tools/lab.sh" up incident

say "mtuguard watch on the node (namespace $NS_NODE)"
nsenter --net="/run/netns/$NS_NODE" "$ROOT/mtuguard" watch --uplink "$UPLINK" \
	--cni-cache "$LAB_CNI_CACHE" --pin "$PIN" >"$OUT" 2>&1 &
WATCH_PID=$!
for _ in $(seq 100); do
	grep -q 'Ctrl-C to stop' "$OUT" && break
	kill -0 "$WATCH_PID" 2>/dev/null || break
	sleep 0.1
done
cat "$OUT"
grep -q 'Ctrl-C to stop' "$OUT" || {
	echo "demo: mtuguard watch did not start" >&2
	exit 1
}

say "The ping mesh from the new Pod: ping -M do -s 1472 (1500-byte DF packets) to $REMOTE_IP"
ip netns exec "$NS_WEB" ping -c 3 -i 0.3 -W 1 -M do -s 1472 "$REMOTE_IP" || true
echo "(no reply: the bridge drops the 1500-byte frames at the 1450 uplink port, silently)"

say "The same ping at 1450 bytes fits, and raises nothing"
ip netns exec "$NS_WEB" ping -c 1 -W 1 -M do -s 1422 "$REMOTE_IP" | grep -E 'received'

say "mtuguard's alerts and summary (after Ctrl-C)"
kill -INT "$WATCH_PID"
wait "$WATCH_PID" || true
WATCH_PID=
sed -n '/too_big/,$p' "$OUT"
