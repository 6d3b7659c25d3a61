# shellcheck shell=bash
# What the labs (lab.sh: the Antrea incident; lab_cni.sh: one node shape
# per CNI) share: the prefix every name carries, namespaces, waiting on a
# condition, Open vSwitch's userspace datapath with its own ovsdb-server, and
# removing everything. Sourced, never run.

LAB_PREFIX=${LAB_PREFIX:-mtg}
LAB_DIR=${LAB_DIR:-/run/${LAB_PREFIX}-lab}
P=$LAB_PREFIX
NS_NODE=$P-node
NS_REMOTE=$P-remote

in_ns() {
	local ns=$1
	shift
	ip -n "$ns" "$@"
}

OVS_DIR=$LAB_DIR/ovs
vsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=10 "$@"; }
switch_kind() { cat "$LAB_DIR/switch" 2>/dev/null || echo bridge; }

# Waits up to 10 s for a command to succeed (polling, no fixed sleep).
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "lab: timed out waiting for: $*" >&2
	return 1
}

ovs_stop() {
	local daemon pid
	for daemon in ovs-vswitchd ovsdb-server; do
		pid=$(cat "$OVS_DIR/$daemon.pid" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null || continue
		wait_for sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
	done
}

# Open vSwitch's own run, log and db directories, all inside the lab.
ovs_start() {
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR
	mkdir -p "$OVS_DIR"
	ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" --no-chdir --detach \
		--pidfile="$OVS_DIR/ovsdb-server.pid" --unixctl="$OVS_DIR/ovsdb-server.ctl" \
		--log-file="$OVS_DIR/ovsdb-server.log" 2>/dev/null
	vsctl --no-wait init
	# ovs-vswitchd in the node's netns, so that its ports are the node's.
	nsenter --net="/run/netns/$NS_NODE" ovs-vswitchd "unix:$OVS_DIR/db.sock" --no-chdir --detach \
		--pidfile="$OVS_DIR/ovs-vswitchd.pid" --unixctl="$OVS_DIR/ovs-vswitchd.ctl" \
		--log-file="$OVS_DIR/ovs-vswitchd.log" 2>/dev/null
	vsctl add-br br-int -- set bridge br-int datapath_type=netdev
}

# Open vSwitch's userspace datapath reads its ports with AF_PACKET and does
# not complete the checksums a veth leaves to offload: TCP through it would
# be dropped by the receiver (TcpInCsumErrors). What sends into the switch,
# the Pod in netns $1, computes them itself (on a real node the NIC or the
# kernel datapath does).
software_checksums() {
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null
}

new_ns() {
	local ns=$1
	ip netns add "$ns"
	in_ns "$ns" link set lo up
	# No duplicate address detection: addresses are usable at once.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

down() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^${P}-" || true); do
		ip netns del "$ns" 2>/dev/null || true
	done
	ovs_stop
	rm -rf "$LAB_DIR"
}


# The libcni result cache entry containerd keeps for a Pod sandbox, under
# $LAB_DIR/cni/results: NETWORK NETNS HOST_IFNAME POD POD_NAMESPACE CID.
write_cni_cache() {
	local network=$1 ns=$2 ifname=$3 pod=$4 podns=$5 cid=$6
	local mac
	mac=$(in_ns "$NS_NODE" link show "$ifname" | awk '/link\/ether/ {print $2}')
	mkdir -p "$LAB_DIR/cni/results"
	jq -n --arg cid "$cid" --arg netns "/var/run/netns/$ns" --arg pod "$pod" \
		--arg podns "$podns" --arg ifname "$ifname" --arg mac "$mac" --arg net "$network" '{
		kind: "cniCacheV1",
		containerId: $cid,
		ifName: "eth0",
		networkName: $net,
		netns: $netns,
		cniArgs: [["IgnoreUnknown", "1"], ["K8S_POD_NAMESPACE", $podns],
			  ["K8S_POD_NAME", $pod], ["K8S_POD_INFRA_CONTAINER_ID", $cid]],
		result: {
			cniVersion: "0.3.0",
			interfaces: [{name: $ifname, mac: $mac}, {name: "eth0", sandbox: $netns}],
			ips: [{version: "4", interface: 1}]
		}
	}' >"$LAB_DIR/cni/results/$network-$cid-eth0"
}
