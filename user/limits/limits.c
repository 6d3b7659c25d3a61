// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "limits/limits.h"

#include <stdio.h>

#include "cni/cni.h"
#include "node/node.h"

static unsigned int minus(unsigned int mtu, unsigned int deduction)
{
	return mtu > deduction ? mtu - deduction : 0;
}

/* "uplink ens192 MTU 1450", "uplink ens192 MTU 1500 - 50 (encap geneve)",
 * "--path-mtu 1400". */
static void describe_path(struct limits *l, const struct node *node, const struct cni *cni,
			  unsigned int path_mtu_override)
{
	char why[96];

	if (path_mtu_override) {
		snprintf(l->path_detail, sizeof(l->path_detail), "--path-mtu %u",
			 path_mtu_override);
		return;
	}
	if (!l->overhead) {
		snprintf(l->path_detail, sizeof(l->path_detail), "uplink %s MTU %u",
			 node->uplink.name, l->egress_mtu);
		return;
	}
	cni_describe_overhead(cni, why, sizeof(why));
	snprintf(l->path_detail, sizeof(l->path_detail), "uplink %s MTU %u - %u (%s)",
		 node->uplink.name, l->egress_mtu, l->overhead, why);
}

void limits_compute(struct limits *l, const struct node *node, const struct cni *cni,
		    unsigned int path_mtu_override)
{
	l->uplink_mtu = node->uplink.mtu;
	l->transport_mtu = node_transport_mtu(node);
	l->egress_mtu = node_egress_mtu(node);
	l->overhead = cni_overhead(cni);
	l->path_mtu = path_mtu_override ? path_mtu_override : minus(l->egress_mtu, l->overhead);
	l->expected_pod_mtu = cni_expected_pod_mtu(cni, node);
	describe_path(l, node, cni, path_mtu_override);
}

unsigned int limits_veth_mtu(unsigned int host_mtu, unsigned int pod_mtu)
{
	if (!host_mtu)
		return pod_mtu;
	if (!pod_mtu)
		return host_mtu;
	return host_mtu < pod_mtu ? host_mtu : pod_mtu;
}

unsigned int limits_pod_mtu(const struct pod_iface *pod)
{
	return limits_veth_mtu(pod->host_mtu, pod->pod_mtu);
}

struct pod_limits limits_for_pod(const struct limits *l, const struct pod_iface *pod)
{
	return (struct pod_limits){ .to_pod = limits_pod_mtu(pod), .off_node = l->path_mtu };
}
