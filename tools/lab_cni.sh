#!/usr/bin/env bash
# One node shape per CNI, in network namespaces, with the CNI's own device
# names, MTUs, routes and files as the CNI writes them (../shared/CNI.md),
# under the lab's host root ($LAB_DIR/host: pass --host-root), and a libcni
# cache entry per Pod. Nothing here touches the host's own interfaces: every
# namespace, interface and file carries the prefix $LAB_PREFIX.
#
#   tools/lab_cni.sh up CNI consistent|failure    calico, cilium, flannel, kube-ovn, ovn-kubernetes, aws
#   tools/lab_cni.sh down                         remove everything it made
#   tools/lab_cni.sh env                          the lab's names as shell variables
#
# Every shape: the node ($P-node) with its NIC eth0 (a veth to $P-remote, the
# fabric and another node, 10.88.0.100), the node at 10.88.0.1, and two Pods:
# pod-a, healthy, and pod-b, the one the failure leaves behind.
#
#   calico      routed, cali* veths, proxy ARP, 169.254.1.1 in the Pod;
#               vxlan.calico at 1450 to the remote node's block 10.244.2.0/26
#               (its route carries mtu 1450); conflist "mtu": 0 and
#               /var/lib/calico/mtu 1450. failure: the node moved from no
#               encapsulation to VXLAN and pod-b kept its 1500.
#   cilium      lxc* veths and Pods' eth0 at the device MTU 1500, each Pod's
#               default route at mtu 1450 (VXLAN, cilium_vxlan flow-based at
#               1500), cilium_host/cilium_net, node_config.h's MTU 1500;
#               a policy rule carries Pod traffic into the tunnel as Cilium's
#               BPF redirect does. failure: pod-b's default route lost its mtu.
#   flannel     cni0 (L2) with veth* Pods, flannel.1 (VXLAN) at 1450 to the
#               remote node's 10.244.2.0/24, subnet.env FLANNEL_MTU=1450.
#               failure: the backend moved from host-gw to VXLAN: pod-b and
#               cni0 kept 1500.
#   kube-ovn    Open vSwitch (userspace datapath, the lab's own ovsdb-server)
#               with ovn0 at 1400 (NIC 1500 - 100 for Geneve), Pod ports
#               <cid>_h carrying kube-ovn's external_ids. failure: pod-b at 1500.
#   ovn-kubernetes  Open vSwitch with ovn-k8s-mp0 at 1400 (NIC 1500 - 58 fits),
#               Pod ports named by container ID. failure: pod-b at 1500.
#               Both: the remote host routes the Pod block back by the node.
#   aws         routed, no encapsulation, eni* veths, NIC and Pods at 9001,
#               10-aws.conflist "mtu": "9001". failure: a VPN route to
#               192.0.2.0/24 with mtu 1500, beyond which the jumbo Pods'
#               packets are lost; nothing the audit sees (it is consistent),
#               only a limit per destination.
set -euo pipefail

# shellcheck source=lab_lib.sh
source "$(dirname "$0")/lab_lib.sh"

HOST=$LAB_DIR/host
NS_A=$P-pod-a
NS_B=$P-pod-b
POD_A=api-5d8c7b9f4-abcde
POD_B=web-7d9f4c6b8-k8s2m
POD_NS=default
CID_A=1111111111111111111111111111111111111111111111111111111111111111
CID_B=2222222222222222222222222222222222222222222222222222222222222222
NODE_IP=10.88.0.1
REMOTE_IP=10.88.0.100
REMOTE_POD_IP=10.244.2.1

print_env() {
	cat <<EOV
LAB_PREFIX=$P
LAB_DIR=$LAB_DIR
LAB_HOST=$HOST
LAB_CNI_CACHE=$LAB_DIR/cni
OVSDB_SOCK=$LAB_DIR/ovs/db.sock
NS_NODE=$NS_NODE
NS_REMOTE=$NS_REMOTE
NS_A=$NS_A
NS_B=$NS_B
POD_A=$POD_A
POD_B=$POD_B
POD_NS=$POD_NS
IF_A=$(cat "$LAB_DIR/if_a" 2>/dev/null || true)
IF_B=$(cat "$LAB_DIR/if_b" 2>/dev/null || true)
IP_A=10.244.1.10
IP_B=10.244.1.11
NODE_IP=$NODE_IP
REMOTE_IP=$REMOTE_IP
REMOTE_POD_IP=$REMOTE_POD_IP
VPN_IP=192.0.2.1
UPLINK=eth0
EOV
}

# Host-side veth names, as each CNI derives them.
hex_of() { printf '%s' "$1" | "$2" | cut -c1-"$3"; }
ifname_for() {
	local cni=$1 pod=$2 cid=$3
	case $cni in
	calico) echo "cali$(hex_of "$POD_NS.$pod" sha1sum 11)" ;;
	aws) echo "eni$(hex_of "$POD_NS.$pod" sha1sum 11)" ;;
	flannel) echo "veth$(hex_of "$cid" sha256sum 8)" ;;
	kube-ovn) echo "${cid:0:12}_h" ;;
	ovn-kubernetes) echo "${cid:0:15}" ;;
	cilium) echo "lxc$(hex_of "$cid:eth0" sha256sum 12)" ;;
	esac
}


conf() {
	mkdir -p "$HOST/etc/cni/net.d"
	install -m "${2:-0644}" /dev/stdin "$HOST/etc/cni/net.d/$1"
}

# The node and the fabric: eth0 at $1, the remote host/node at the other end.
node_and_fabric() {
	local nic_mtu=$1
	mkdir -p "$LAB_DIR" "$HOST"
	new_ns "$NS_NODE"
	new_ns "$NS_REMOTE"
	in_ns "$NS_NODE" link add eth0 mtu "$nic_mtu" type veth peer name eth0 mtu "$nic_mtu" netns "$NS_REMOTE"
	in_ns "$NS_NODE" addr add "$NODE_IP/24" dev eth0
	in_ns "$NS_NODE" link set eth0 up
	in_ns "$NS_NODE" route add default via "$REMOTE_IP"
	in_ns "$NS_REMOTE" addr add "$REMOTE_IP/24" dev eth0
	in_ns "$NS_REMOTE" link set eth0 up
	ip netns exec "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1
}

# The remote host reaches the node's Pod block by the node, so that TCP from
# a Pod to it has a way back.
fabric_routes_pods_back() {
	in_ns "$NS_REMOTE" route add 10.244.1.0/24 via "$NODE_IP"
}

# A VXLAN between the node and the remote node: $1 the device's name, $2
# its MTU, $3 the node's address on it, $4 the remote node's Pod block.
vxlan_pair() {
	local dev=$1 mtu=$2 mine=$3 block=$4
	in_ns "$NS_NODE" link add "$dev" mtu "$mtu" type vxlan id 4096 local "$NODE_IP" remote "$REMOTE_IP" dstport 4789
	in_ns "$NS_NODE" addr add "$mine" dev "$dev"
	in_ns "$NS_NODE" link set "$dev" up
	# Next hops on the tunnel, as Calico and Flannel route: the other end's
	# tunnel address, onlink.
	in_ns "$NS_NODE" route add "$block" via "$REMOTE_POD_IP" dev "$dev" onlink mtu "$mtu"
	in_ns "$NS_REMOTE" link add "$dev" mtu "$mtu" type vxlan id 4096 local "$REMOTE_IP" remote "$NODE_IP" dstport 4789
	in_ns "$NS_REMOTE" addr add "$REMOTE_POD_IP/24" dev "$dev"
	in_ns "$NS_REMOTE" link set "$dev" up
	in_ns "$NS_REMOTE" route add 10.244.1.0/24 via "${mine%/*}" dev "$dev" onlink
}

# A routed Pod (Calico, AWS, Cilium): a /32 on eth0, the gateway ($8,
# default 169.254.1.1) that the host end answers for by proxy ARP, a host
# route to the Pod; $9 the default route's mtu (Cilium's), none when empty.
routed_pod() {
	local cni=$1 ns=$2 pod=$3 cid=$4 ip=$5 mtu=$6 network=$7 gw=${8:-169.254.1.1} route_mtu=${9:-} ifname
	ifname=$(ifname_for "$cni" "$pod" "$cid")
	new_ns "$ns"
	in_ns "$NS_NODE" link add "$ifname" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns"
	in_ns "$NS_NODE" link set "$ifname" up
	ip netns exec "$NS_NODE" sysctl -qw "net.ipv4.conf.$ifname.proxy_arp=1"
	in_ns "$NS_NODE" route add "$ip/32" dev "$ifname"
	in_ns "$ns" addr add "$ip/32" dev eth0
	in_ns "$ns" link set eth0 up
	in_ns "$ns" route add "$gw" dev eth0 scope link
	in_ns "$ns" route add default via "$gw" dev eth0 ${route_mtu:+mtu "$route_mtu"}
	write_cni_cache "$network" "$ns" "$ifname" "$pod" "$POD_NS" "$cid"
	echo "$ifname"
}

# A Pod on a bridge (Flannel's cni0) or an OVS port.
bridged_pod() {
	local cni=$1 ns=$2 pod=$3 cid=$4 ip=$5 mtu=$6 network=$7 gw=$8 ifname
	ifname=$(ifname_for "$cni" "$pod" "$cid")
	new_ns "$ns"
	in_ns "$NS_NODE" link add "$ifname" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns"
	if [[ $cni == flannel ]]; then
		in_ns "$NS_NODE" link set "$ifname" master cni0
	else
		vsctl add-port br-int "$ifname" -- set interface "$ifname" \
			"external_ids:iface-id=$POD_NS.$pod" "external_ids:pod_name=$pod" \
			"external_ids:pod_namespace=$POD_NS" "external_ids:vendor=$cni"
		software_checksums "$ns"
	fi
	in_ns "$NS_NODE" link set "$ifname" up
	in_ns "$ns" addr add "$ip/24" dev eth0
	in_ns "$ns" link set eth0 up
	in_ns "$ns" route add default via "$gw"
	write_cni_cache "$network" "$ns" "$ifname" "$pod" "$POD_NS" "$cid"
	echo "$ifname"
}

up_calico() {
	local mtu_b=$1
	node_and_fabric 1500
	vxlan_pair vxlan.calico 1450 10.244.1.0/32 10.244.2.0/26
	conf 10-calico.conflist 0600 <<'CONF'
{
  "name": "k8s-pod-network",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "calico",
      "datastore_type": "kubernetes",
      "mtu": 0,
      "nodename_file_optional": false,
      "log_level": "Info",
      "ipam": { "type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "false" },
      "policy": { "type": "k8s" },
      "kubernetes": { "kubeconfig": "/etc/cni/net.d/calico-kubeconfig" }
    },
    { "type": "bandwidth", "capabilities": { "bandwidth": true } },
    { "type": "portmap", "snat": true, "capabilities": { "portMappings": true } }
  ]
}
CONF
	mkdir -p "$HOST/var/lib/calico"
	printf '1450' >"$HOST/var/lib/calico/mtu"
	routed_pod calico "$NS_A" "$POD_A" "$CID_A" 10.244.1.10 1450 k8s-pod-network >"$LAB_DIR/if_a"
	routed_pod calico "$NS_B" "$POD_B" "$CID_B" 10.244.1.11 "$mtu_b" k8s-pod-network >"$LAB_DIR/if_b"
}

# Cilium's datapath for Pod traffic to the remote node's Pods. On a real
# node the BPF program on lxc* sets a tunnel key and redirects into
# cilium_vxlan, bypassing the node's routes; here a policy rule stands in for
# it: traffic from the node's Pod block to the remote block is looked up in
# its own table, whose route gives the flow-based cilium_vxlan the remote
# node's address as a lightweight-tunnel key (the main table keeps the route
# Cilium writes, via cilium_host at mtu 1450, which is what mtuguard reads).
# The remote node's end is a plain VXLAN on Cilium's port 8472; both ends
# know the other's MAC (no ARP through a flow-based tunnel).
cilium_tunnel_datapath() {
	local node_mac remote_mac
	in_ns "$NS_REMOTE" link add cilium_vxlan mtu 1500 type vxlan id 2 local "$REMOTE_IP" \
		remote "$NODE_IP" dstport 8472
	in_ns "$NS_REMOTE" addr add "$REMOTE_POD_IP/24" dev cilium_vxlan
	in_ns "$NS_REMOTE" link set cilium_vxlan up
	node_mac=$(in_ns "$NS_NODE" link show cilium_vxlan | awk '/link\/ether/ {print $2}')
	remote_mac=$(in_ns "$NS_REMOTE" link show cilium_vxlan | awk '/link\/ether/ {print $2}')
	in_ns "$NS_REMOTE" neigh add 10.244.1.1 lladdr "$node_mac" dev cilium_vxlan nud permanent
	in_ns "$NS_REMOTE" route add 10.244.1.0/24 via 10.244.1.1 dev cilium_vxlan onlink
	in_ns "$NS_NODE" neigh add "$REMOTE_POD_IP" lladdr "$remote_mac" dev cilium_vxlan nud permanent
	in_ns "$NS_NODE" rule add from 10.244.1.0/24 to 10.244.2.0/24 lookup 2004 pref 100
	in_ns "$NS_NODE" route add 10.244.2.0/24 via "$REMOTE_POD_IP" dev cilium_vxlan onlink \
		encap ip id 2 dst "$REMOTE_IP" table 2004
}

# Cilium in tunnel mode: cilium_host/cilium_net (a veth pair in the node,
# at the device MTU), cilium_vxlan flow-based at the device MTU, the route
# to the remote node's Pods via cilium_host at mtu 1450, the agent's
# node_config.h; failure: pod-b's default route lost its mtu.
up_cilium() {
	local route_b=$1
	node_and_fabric 1500
	in_ns "$NS_NODE" link add cilium_host mtu 1500 type veth peer name cilium_net mtu 1500
	in_ns "$NS_NODE" addr add 10.244.1.1/32 dev cilium_host
	in_ns "$NS_NODE" link set cilium_net up
	in_ns "$NS_NODE" link set cilium_host up
	in_ns "$NS_NODE" link add cilium_vxlan mtu 1500 type vxlan external dstport 8472
	in_ns "$NS_NODE" link set cilium_vxlan up
	in_ns "$NS_NODE" route add 10.244.2.0/24 via 10.244.1.1 dev cilium_host src 10.244.1.1 mtu 1450
	cilium_tunnel_datapath
	conf 05-cilium.conflist <<'CONF'
{
  "cniVersion": "0.3.1",
  "name": "cilium",
  "plugins": [
    {
      "type": "cilium-cni",
      "enable-debug": false,
      "log-file": "/var/run/cilium/cilium-cni.log"
    }
  ]
}
CONF
	mkdir -p "$HOST/var/run/cilium/state/globals"
	printf '%s\n' '/* generated by cilium-agent */' '#define MTU 1500' \
		>"$HOST/var/run/cilium/state/globals/node_config.h"
	# lxc* and eth0 at the device MTU; the default route carries the MTU.
	routed_pod cilium "$NS_A" "$POD_A" "$CID_A" 10.244.1.10 1500 cilium 10.244.1.1 1450 >"$LAB_DIR/if_a"
	routed_pod cilium "$NS_B" "$POD_B" "$CID_B" 10.244.1.11 1500 cilium 10.244.1.1 "$route_b" >"$LAB_DIR/if_b"
}

up_aws() {
	local vpn=$1
	node_and_fabric 9001
	[[ $vpn == yes ]] && in_ns "$NS_NODE" route add 192.0.2.0/24 via "$REMOTE_IP" dev eth0 mtu 1500
	conf 10-aws.conflist <<'CONF'
{
  "cniVersion": "0.4.0",
  "name": "aws-cni",
  "disableCheck": true,
  "plugins": [
    { "name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001",
      "podSGEnforcingMode": "strict", "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
      "pluginLogLevel": "DEBUG", "capabilities": { "io.kubernetes.cri.pod-annotations": true } },
    { "name": "egress-cni", "type": "egress-cni", "mtu": "9001", "enabled": "false",
      "randomizeSNAT": "prng", "nodeIP": "", "ipam": { "type": "host-local" } },
    { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }
  ]
}
CONF
	routed_pod aws "$NS_A" "$POD_A" "$CID_A" 10.244.1.10 9001 aws-cni >"$LAB_DIR/if_a"
	routed_pod aws "$NS_B" "$POD_B" "$CID_B" 10.244.1.11 9001 aws-cni >"$LAB_DIR/if_b"
	# The VPC routes Pod addresses natively.
	fabric_routes_pods_back
}

up_flannel() {
	local cni0_mtu=$1 mtu_b=$2
	node_and_fabric 1500
	in_ns "$NS_NODE" link add cni0 type bridge stp_state 0
	in_ns "$NS_NODE" addr add 10.244.1.1/24 dev cni0
	in_ns "$NS_NODE" link set cni0 up
	vxlan_pair flannel.1 1450 10.244.1.0/32 10.244.2.0/24
	mkdir -p "$HOST/run/flannel"
	cat >"$HOST/run/flannel/subnet.env" <<'ENV'
FLANNEL_NETWORK=10.244.0.0/16
FLANNEL_SUBNET=10.244.1.1/24
FLANNEL_MTU=1450
FLANNEL_IPMASQ=true
ENV
	conf 10-flannel.conflist <<'CONF'
{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    { "type": "flannel", "delegate": { "hairpinMode": true, "isDefaultGateway": true } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CONF
	bridged_pod flannel "$NS_A" "$POD_A" "$CID_A" 10.244.1.10 1450 cbr0 10.244.1.1 >"$LAB_DIR/if_a"
	bridged_pod flannel "$NS_B" "$POD_B" "$CID_B" 10.244.1.11 "$mtu_b" cbr0 10.244.1.1 >"$LAB_DIR/if_b"
	# Set by hand, cni0 keeps its MTU whatever its ports have: as the bridge
	# plugin left it when the node ran host-gw.
	in_ns "$NS_NODE" link set cni0 mtu "$cni0_mtu"
}

# kube-ovn and OVN-Kubernetes: Pods on br-int, the CNI's host port at the
# Pod MTU (an internal port with mtu_request, as both set it).
up_ovn() {
	local cni=$1 mtu_b=$2 port conffile type network
	node_and_fabric 1500
	ovs_start
	if [[ $cni == kube-ovn ]]; then
		port=ovn0 conffile=01-kube-ovn.conflist type=kube-ovn network=kube-ovn
	else
		port=ovn-k8s-mp0 conffile=10-ovn-kubernetes.conf type=ovn-k8s-cni-overlay network=ovn-kubernetes
	fi
	vsctl add-port br-int "$port" -- set interface "$port" type=internal mtu_request=1400
	wait_for in_ns "$NS_NODE" link show "$port" >/dev/null 2>&1
	in_ns "$NS_NODE" addr add 10.244.1.1/24 dev "$port"
	in_ns "$NS_NODE" link set "$port" up
	if [[ $cni == kube-ovn ]]; then
		conf "$conffile" <<CONF
{
  "name": "$network",
  "cniVersion": "0.3.1",
  "plugins": [
    { "type": "kube-ovn", "server_socket": "/run/openvswitch/kube-ovn-daemon.sock" },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CONF
	else
		conf "$conffile" <<CONF
{"cniVersion":"0.4.0","name":"$network","type":"$type","ipam":{},"dns":{},"logFile":"/var/log/ovn-kubernetes/ovn-k8s-cni-overlay.log","logLevel":"4"}
CONF
	fi
	bridged_pod "$cni" "$NS_A" "$POD_A" "$CID_A" 10.244.1.10 1400 "$network" 10.244.1.1 >"$LAB_DIR/if_a"
	bridged_pod "$cni" "$NS_B" "$POD_B" "$CID_B" 10.244.1.11 "$mtu_b" "$network" 10.244.1.1 >"$LAB_DIR/if_b"
	# The lab's stand-in for OVN's gateway.
	fabric_routes_pods_back
}

up() {
	local cni=$1 scenario=$2
	[[ $scenario == consistent || $scenario == failure ]] || {
		echo "lab_cni: the scenario is consistent or failure, not '$scenario'" >&2
		exit 2
	}
	down
	case $cni in
	calico) up_calico "$([[ $scenario == failure ]] && echo 1500 || echo 1450)" ;;
	cilium) up_cilium "$([[ $scenario == failure ]] && echo "" || echo 1450)" ;;
	aws) up_aws "$([[ $scenario == failure ]] && echo yes || echo no)" ;;
	flannel)
		if [[ $scenario == failure ]]; then up_flannel 1500 1500; else up_flannel 1450 1450; fi
		;;
	kube-ovn | ovn-kubernetes) up_ovn "$cni" "$([[ $scenario == failure ]] && echo 1500 || echo 1400)" ;;
	*)
		echo "lab_cni: the CNI is calico, cilium, flannel, kube-ovn, ovn-kubernetes or aws, not '$cni'" >&2
		exit 2
		;;
	esac
	echo "lab_cni: $cni $scenario up (pods $(cat "$LAB_DIR/if_a") and $(cat "$LAB_DIR/if_b"))"
}

case ${1:-} in
up) up "${2:-}" "${3:-consistent}" ;;
down) down ;;
env) print_env ;;
*)
	echo "usage: $0 up calico|cilium|flannel|kube-ovn|ovn-kubernetes|aws consistent|failure | down | env" >&2
	exit 2
	;;
esac
