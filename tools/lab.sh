#!/usr/bin/env bash
# The incident in network namespaces (../shared/INCIDENT.md): a Kubernetes node
# bridged onto its uplink, an old Pod at MTU 1450, a new Pod at 1500, and the
# uplink port dragged down to 1450. Nothing here touches the host's own
# interfaces: every namespace, interface and file carries the prefix $LAB_PREFIX.
#
#   tools/lab.sh up [incident|fixed|consistent] [bridge|ovs]   build (after removing any old lab)
#   tools/lab.sh restart-pod                      "kubectl delete pod" the CoreDNS Pod: it comes
#                                                 back with a new veth at the Pod MTU of noEncap
#   tools/lab.sh add-pod NAME MTU IPV4 IPV6       a new Pod while the node runs (netns $LAB_PREFIX-pod-NAME)
#   tools/lab.sh ovsdb stop|start                 kill or restart the lab's ovsdb-server
#   tools/lab.sh down                             remove everything it made
#   tools/lab.sh env                              print the lab's names as shell variables
#
# Topology (prefix mtg by default):
#
#   mtg-pod-dns  eth0 10.77.0.11  MTU 1450 --veth-- coredns--XXXXXX --+
#   mtg-pod-web  eth0 10.77.0.12  MTU 1500 --veth-- web-7d9f-XXXXXX --+-- br-int 10.77.0.1   (mtg-node)
#                                                        ens192 ------+
#                                                          | veth
#   mtg-remote   eth0 10.77.0.100 MTU 1500, routes 10.78.0.0/24 to
#                eth1 10.78.0.1   MTU 1400 --veth-- eth0 10.78.0.2 (mtg-far)
#
# Scenarios (MTUs of ens192 / coredns Pod / web Pod):
#   incident    1450 / 1450 / 1500  the redeploy: the web Pod's 1500-byte DF packets vanish
#   fixed       1500 / 1450 / 1500  uplink fixed (Antrea PR 6577), CoreDNS still stale
#   consistent  1500 / 1500 / 1500  all restarted: nothing to flag
# mtg-far sits behind a 1400 hop, so pinging it with 1450 bytes yields ICMP
# "fragmentation needed" (and ICMPv6 Packet Too Big) back to the Pod.
# 10.79.0.2 sits behind the node itself, which routes to it over a 1400 VXLAN
# link (rt0, to the remote host): the node's own IP forwarding drops what does
# not fit, with the kernel drop reason PKT_TOO_BIG. (A tunnel, not a veth, so
# that it is not taken for a Pod.)
# IPv6 mirrors IPv4 on fd77::/64 and fd78::/64.
#
# Pods are registered as containerd registers them with the CNI: a libcni result
# cache file per Pod under $LAB_DIR/cni/results (pass --cni-cache $LAB_DIR/cni),
# and the node's CNI config is Antrea's 10-antrea.conflist under the lab's
# host root $LAB_DIR/host (pass --host-root $LAB_DIR/host).
#
# The ovs switch is Open vSwitch's userspace datapath (datapath_type=netdev, no
# kernel module) with its own ovsdb-server on $LAB_DIR/ovs/db.sock, built as
# Antrea's bridging mode builds a node: the NIC renamed ens192~ and plugged into
# br-int (antrea-type=uplink), an internal port ens192 with no mtu_request that
# takes the node's address (antrea-type=host), and Pod ports carrying Antrea's
# external_ids. Open vSwitch itself then drags ens192 down to the stale Pod's
# 1450: the incident's real mechanism. ("fixed" does not apply to it: the NIC
# is always 1500 and OVS decides the port's MTU.)
set -euo pipefail

# shellcheck source=lab_lib.sh
source "$(dirname "$0")/lab_lib.sh"

NS_FAR=$P-far
NS_DNS=$P-pod-dns
NS_WEB=$P-pod-web

DNS_POD=coredns-7c6d8f5b9-x2vqp
DNS_NS=kube-system
DNS_CID=5f1c2e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e
DNS_CID_RESTARTED=9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
WEB_POD=web-7d9f4c6b8-k8s2m
WEB_NS=default
WEB_CID=a3b1c9d7e5f3a1b9c7d5e3f1a9b7c5d3e1f9a7b5c3d1e9f7a5b3c1d9e7f5a3b1

# Antrea's host-side veth name: 8 characters of the Pod name, '-', 6 hex digits
# of sha1(container ID).
antrea_ifname() {
	local pod=$1 cid=$2
	printf '%s-%s' "${pod:0:8}" "$(printf '%s' "$cid" | sha1sum | cut -c1-6)"
}

DNS_IF=$(antrea_ifname "$DNS_POD" "$DNS_CID")
DNS_IF_RESTARTED=$(antrea_ifname "$DNS_POD" "$DNS_CID_RESTARTED")
WEB_IF=$(antrea_ifname "$WEB_POD" "$WEB_CID")

print_env() {
	cat <<EOF
LAB_PREFIX=$P
LAB_DIR=$LAB_DIR
LAB_CNI_CACHE=$LAB_DIR/cni
LAB_HOST=$LAB_DIR/host
NS_NODE=$NS_NODE
NS_REMOTE=$NS_REMOTE
NS_FAR=$NS_FAR
NS_DNS=$NS_DNS
NS_WEB=$NS_WEB
DNS_POD=$DNS_POD
DNS_NS=$DNS_NS
DNS_IF=$DNS_IF
DNS_IF_RESTARTED=$DNS_IF_RESTARTED
OVSDB_SOCK=$LAB_DIR/ovs/db.sock
WEB_POD=$WEB_POD
WEB_NS=$WEB_NS
WEB_IF=$WEB_IF
UPLINK=ens192
NODE_IP=10.77.0.1
DNS_IP=10.77.0.11
WEB_IP=10.77.0.12
REMOTE_IP=10.77.0.100
FAR_IP=10.78.0.2
ROUTED_IP=10.79.0.2
NODE_IP6=fd77::1
DNS_IP6=fd77::11
WEB_IP6=fd77::12
REMOTE_IP6=fd77::100
FAR_IP6=fd78::2
EOF
}

# Plugs a host-side interface into the switch; for OVS, with Antrea's
# external_ids on the Port ("key=value" arguments).
plug() {
	local ifname=$1 kv ids=()
	shift
	if [[ $(switch_kind) == ovs ]]; then
		for kv in "$@"; do
			ids+=("external_ids:${kv%%=*}=\"${kv#*=}\"")
		done
		vsctl add-port br-int "$ifname" -- set port "$ifname" "${ids[@]}"
	else
		in_ns "$NS_NODE" link set "$ifname" master br-int
	fi
	in_ns "$NS_NODE" link set "$ifname" up
}

unplug() {
	[[ $(switch_kind) == ovs ]] && vsctl --if-exists del-port br-int "$1"
	in_ns "$NS_NODE" link del "$1" 2>/dev/null || true
}

# Only a Pod on Open vSwitch needs its checksums in software (lab_lib.sh).
checksums_in_software() {
	[[ $(switch_kind) == ovs ]] || return 0
	software_checksums "$1"
}

# A Pod: its netns, the veth with Antrea's name on the node's bridge, both ends
# at the Pod's MTU, its addresses and routes, and the CNI cache file.
add_pod() {
	local ns=$1 ifname=$2 mtu=$3 ip4=$4 ip6=$5 pod=$6 podns=$7 cid=$8
	new_ns "$ns"
	in_ns "$NS_NODE" link add "$ifname" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns"
	plug "$ifname" antrea-type=container pod-name="$pod" pod-namespace="$podns" \
		container-id="$cid" ip-address="$ip4" \
		attached-mac="$(in_ns "$ns" link show eth0 | awk '/link\/ether/ {print $2}')"
	in_ns "$ns" addr add "$ip4/24" dev eth0
	in_ns "$ns" addr add "$ip6/64" dev eth0 nodad
	in_ns "$ns" link set eth0 up
	checksums_in_software "$ns"
	in_ns "$ns" route add default via 10.77.0.100
	in_ns "$ns" route add 10.79.0.0/24 via 10.77.0.1
	in_ns "$ns" -6 route add default via fd77::100
	write_cni_cache antrea "$ns" "$ifname" "$pod" "$podns" "$cid"
}

# The node's CNI config as antrea-agent's install-cni writes it, under the
# lab's host root (pass --host-root $LAB_DIR/host): the runtime, and
# mtuguard's --cni auto, take the first file of /etc/cni/net.d.
write_antrea_conflist() {
	mkdir -p "$LAB_DIR/host/etc/cni/net.d"
	cat >"$LAB_DIR/host/etc/cni/net.d/10-antrea.conflist" <<'CONF'
{
    "cniVersion":"0.3.0",
    "name": "antrea",
    "plugins": [
        {
            "type": "antrea",
            "ipam": {
                "type": "host-local"
            }
        },
        {
            "type": "portmap",
            "capabilities": {"portMappings": true}
        },
        {
            "type": "bandwidth",
            "capabilities": {"bandwidth": true}
        }
    ]
}
CONF
}


up() {
	local scenario=${1:-incident} switch=${2:-bridge}
	local uplink_mtu dns_mtu web_mtu
	case $scenario in
	incident) uplink_mtu=1450 dns_mtu=1450 web_mtu=1500 ;;
	fixed) uplink_mtu=1500 dns_mtu=1450 web_mtu=1500 ;;
	consistent) uplink_mtu=1500 dns_mtu=1500 web_mtu=1500 ;;
	*)
		echo "lab: unknown scenario '$scenario' (incident, fixed or consistent)" >&2
		exit 2
		;;
	esac
	[[ $switch == bridge || $switch == ovs ]] || {
		echo "lab: unknown switch '$switch' (bridge or ovs)" >&2
		exit 2
	}
	down
	mkdir -p "$LAB_DIR"
	echo "$switch" >"$LAB_DIR/switch"
	write_antrea_conflist

	new_ns "$NS_NODE"
	new_ns "$NS_REMOTE"
	new_ns "$NS_FAR"

	# The node's switch, holding the uplink and the Pods' veths. With OVS the
	# NIC is ens192~ and an internal port takes the name ens192 (and its MTU
	# from OVS); with a Linux bridge, ens192 is the NIC itself at the dragged-
	# down MTU, and the bridge device holds the node's address.
	local uplink=ens192 node_if=br-int
	if [[ $switch == ovs ]]; then
		ovs_start
		uplink=ens192~ node_if=ens192 uplink_mtu=1500
	else
		in_ns "$NS_NODE" link add br-int type bridge stp_state 0
	fi
	in_ns "$NS_NODE" link add "$uplink" mtu "$uplink_mtu" type veth peer name eth0 mtu 1500 netns "$NS_REMOTE"
	plug "$uplink" antrea-type=uplink

	# The fabric: the remote host routes on to a network behind a 1400 hop.
	in_ns "$NS_REMOTE" addr add 10.77.0.100/24 dev eth0
	in_ns "$NS_REMOTE" addr add fd77::100/64 dev eth0 nodad
	in_ns "$NS_REMOTE" link set eth0 up
	in_ns "$NS_REMOTE" link add eth1 mtu 1400 type veth peer name eth0 mtu 1400 netns "$NS_FAR"
	in_ns "$NS_REMOTE" addr add 10.78.0.1/24 dev eth1
	in_ns "$NS_REMOTE" addr add fd78::1/64 dev eth1 nodad
	in_ns "$NS_REMOTE" link set eth1 up
	ip netns exec "$NS_REMOTE" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_ns "$NS_FAR" addr add 10.78.0.2/24 dev eth0
	in_ns "$NS_FAR" addr add fd78::2/64 dev eth0 nodad
	in_ns "$NS_FAR" link set eth0 up
	in_ns "$NS_FAR" route add default via 10.78.0.1
	in_ns "$NS_FAR" -6 route add default via fd78::1

	checksums_in_software "$NS_REMOTE"
	add_pod "$NS_DNS" "$DNS_IF" "$dns_mtu" 10.77.0.11 fd77::11 "$DNS_POD" "$DNS_NS" "$DNS_CID"
	add_pod "$NS_WEB" "$WEB_IF" "$web_mtu" 10.77.0.12 fd77::12 "$WEB_POD" "$WEB_NS" "$WEB_CID"

	if [[ $switch == ovs ]]; then
		# Antrea's bridging mode: an internal port with the NIC's old name
		# and no mtu_request. OVS gives it the smallest MTU on br-int.
		vsctl add-port br-int ens192 -- set interface ens192 type=internal \
			-- set port ens192 external_ids:antrea-type=host
		wait_for in_ns "$NS_NODE" link show ens192 >/dev/null 2>&1
		wait_for sh -c "[ \"\$(ovs-vsctl --db=unix:$OVS_DIR/db.sock get interface ens192 mtu)\" = $(min_mtu "$dns_mtu" "$web_mtu" 1500) ]"
	fi

	# The node's own address and its default route.
	in_ns "$NS_NODE" addr add 10.77.0.1/24 dev "$node_if"
	in_ns "$NS_NODE" addr add fd77::1/64 dev "$node_if" nodad
	in_ns "$NS_NODE" link set "$node_if" up
	in_ns "$NS_NODE" route add default via 10.77.0.100

	# A network the node routes to itself, over a 1400 VXLAN to the remote.
	in_ns "$NS_NODE" link add rt0 mtu 1400 type vxlan id 79 local 10.77.0.1 remote 10.77.0.100 dstport 4789
	in_ns "$NS_NODE" addr add 10.79.0.1/24 dev rt0
	in_ns "$NS_NODE" link set rt0 up
	ip netns exec "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_REMOTE" link add rt0 mtu 1400 type vxlan id 79 local 10.77.0.100 remote 10.77.0.1 dstport 4789
	in_ns "$NS_REMOTE" addr add 10.79.0.2/24 dev rt0
	in_ns "$NS_REMOTE" link set rt0 up

	echo "lab: $scenario scenario up on $switch (uplink ens192 MTU $(in_ns "$NS_NODE" link show ens192 | awk '{for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1)}'), $DNS_IF MTU $dns_mtu, $WEB_IF MTU $web_mtu)"
}

min_mtu() {
	printf '%s\n' "$@" | sort -n | head -1
}

# "kubectl delete pod" for CoreDNS: the Pod comes back with a new container ID,
# so a new veth, at the MTU noEncap gives new Pods (1500). On OVS the uplink
# port follows once no port holds it down.
restart_pod() {
	[[ -d $LAB_DIR ]] || {
		echo "lab: no lab is up" >&2
		exit 2
	}
	rm -f "$LAB_DIR/cni/results/antrea-$DNS_CID-eth0"
	unplug "$DNS_IF"
	ip netns del "$NS_DNS"
	add_pod "$NS_DNS" "$DNS_IF_RESTARTED" 1500 10.77.0.11 fd77::11 "$DNS_POD" "$DNS_NS" "$DNS_CID_RESTARTED"
	if [[ $(switch_kind) == ovs ]]; then
		wait_for sh -c "[ \"\$(ovs-vsctl --db=unix:$OVS_DIR/db.sock get interface ens192 mtu)\" = 1500 ]"
	fi
	echo "lab: $DNS_POD restarted as $DNS_IF_RESTARTED (MTU 1500)"
}

# Stops or restarts the lab's ovsdb-server (ovs-vswitchd reconnects by itself).
ovsdb_ctl() {
	local pid
	[[ $(switch_kind) == ovs ]] || {
		echo "lab: ovsdb needs a lab up on ovs" >&2
		exit 2
	}
	case $1 in
	stop)
		pid=$(cat "$OVS_DIR/ovsdb-server.pid")
		kill "$pid"
		wait_for sh -c "! kill -0 $pid 2>/dev/null"
		;;
	start)
		export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR
		ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" --no-chdir --detach \
			--pidfile="$OVS_DIR/ovsdb-server.pid" --unixctl="$OVS_DIR/ovsdb-server.ctl" \
			--log-file="$OVS_DIR/ovsdb-server.log" 2>/dev/null
		;;
	*)
		echo "usage: $0 ovsdb stop|start" >&2
		exit 2
		;;
	esac
}

# A Pod scheduled while the node runs: Pod "NAME-6c9f8d7b5-q2x4z" in default.
add_pod_later() {
	local name=$1 mtu=$2 ip4=$3 ip6=$4 pod cid ifname
	[[ -d $LAB_DIR && -n $name && -n $mtu && -n $ip4 && -n $ip6 ]] || {
		echo "usage: $0 add-pod NAME MTU IPV4 IPV6 (with a lab up)" >&2
		exit 2
	}
	pod=$name-6c9f8d7b5-q2x4z
	cid=$(printf '%s' "$pod" | sha256sum | cut -c1-64)
	ifname=$(antrea_ifname "$pod" "$cid")
	add_pod "$P-pod-$name" "$ifname" "$mtu" "$ip4" "$ip6" "$pod" default "$cid"
	echo "$ifname"
}

case ${1:-} in
up) up "${2:-incident}" "${3:-bridge}" ;;
add-pod) add_pod_later "${2:-}" "${3:-}" "${4:-}" "${5:-}" ;;
ovsdb) ovsdb_ctl "${2:-}" ;;
restart-pod) restart_pod ;;
down) down ;;
env) print_env ;;
*)
	echo "usage: $0 up [incident|fixed|consistent] [bridge|ovs] | restart-pod | add-pod NAME MTU IPV4 IPV6 | down | env" >&2
	exit 2
	;;
esac
