// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {
	[MODE_NOENCAP] = "noencap",
	[MODE_ENCAP] = "encap",
};

static const char *const tunnel_names[] = {
	[TUNNEL_GENEVE] = "geneve",
	[TUNNEL_VXLAN] = "vxlan",
	[TUNNEL_GRE] = "gre",
	[TUNNEL_STT] = "stt",
};

/* Antrea's deductions (pkg/agent/config): Geneve and VXLAN 50 (outer
 * Ethernet 14 + IPv4 20 + UDP 8 + 8 of tunnel header), GRE 42, STT 0
 * (it rides on TSO and carries its own segmentation). */
static const unsigned int tunnel_overhead[] = {
	[TUNNEL_GENEVE] = 50,
	[TUNNEL_VXLAN] = 50,
	[TUNNEL_GRE] = 42,
	[TUNNEL_STT] = 0,
};

static int lookup_name(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcasecmp(names[i], s))
			return i;
	}
	return -EINVAL;
}

int policy_parse_mode(const char *s, enum traffic_mode *out)
{
	int i = lookup_name(mode_names, 2, s);

	if (i < 0)
		return i;
	*out = (enum traffic_mode)i;
	return 0;
}

int policy_parse_tunnel(const char *s, enum tunnel_type *out)
{
	int i = lookup_name(tunnel_names, 4, s);

	if (i < 0)
		return i;
	*out = (enum tunnel_type)i;
	return 0;
}

const char *policy_mode_name(enum traffic_mode mode)
{
	return mode_names[mode];
}

const char *policy_tunnel_name(enum tunnel_type tunnel)
{
	return tunnel_names[tunnel];
}

unsigned int policy_tunnel_overhead(enum tunnel_type tunnel)
{
	return tunnel_overhead[tunnel];
}

unsigned int policy_path_mtu(const struct policy *p, unsigned int uplink_mtu)
{
	unsigned int overhead;

	if (p->path_mtu_override)
		return p->path_mtu_override;
	if (p->mode == MODE_NOENCAP)
		return uplink_mtu;
	overhead = policy_tunnel_overhead(p->tunnel);
	return uplink_mtu > overhead ? uplink_mtu - overhead : 0;
}

void policy_describe_path(const struct policy *p, const char *uplink, unsigned int uplink_mtu,
			  char *buf, unsigned long size)
{
	if (p->path_mtu_override)
		snprintf(buf, size, "--path-mtu %u", p->path_mtu_override);
	else if (p->mode == MODE_NOENCAP)
		snprintf(buf, size, "uplink %s MTU %u", uplink, uplink_mtu);
	else
		snprintf(buf, size, "uplink %s MTU %u - %u (%s)", uplink, uplink_mtu,
			 policy_tunnel_overhead(p->tunnel), policy_tunnel_name(p->tunnel));
}

unsigned int policy_pod_limit(unsigned int host_mtu, unsigned int pod_mtu)
{
	if (!host_mtu)
		return pod_mtu;
	if (!pod_mtu)
		return host_mtu;
	return host_mtu < pod_mtu ? host_mtu : pod_mtu;
}
