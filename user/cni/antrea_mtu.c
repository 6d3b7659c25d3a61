// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "cni/antrea_mtu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Antrea's spellings (antrea-agent.conf), matched case-insensitively so that
 * the flags accept "noencap" as well as "noEncap". */
static const char *const mode_names[] = {
	[MODE_NOENCAP] = "noEncap", [MODE_ENCAP] = "encap",
	[MODE_HYBRID] = "hybrid",   [MODE_NETWORK_POLICY_ONLY] = "networkPolicyOnly",
	[MODE_AUTO] = "auto",
};

static const char *const tunnel_names[] = {
	[TUNNEL_GENEVE] = "geneve",
	[TUNNEL_VXLAN] = "vxlan",
	[TUNNEL_GRE] = "gre",
	[TUNNEL_STT] = "stt",
};

static const char *const encryption_names[] = {
	[ENCRYPTION_NONE] = "none",
	[ENCRYPTION_IPSEC] = "ipsec",
	[ENCRYPTION_WIREGUARD] = "wireGuard",
};

/* Antrea's deductions (pkg/agent/config/node_config.go): Geneve and VXLAN
 * 50 (outer Ethernet 14 + IPv4 20 + UDP 8 + 8 of tunnel header), GRE 42,
 * STT 0 (it rides on TSO and segments itself). */
static const unsigned int tunnel_overhead[] = {
	[TUNNEL_GENEVE] = 50,
	[TUNNEL_VXLAN] = 50,
	[TUNNEL_GRE] = 42,
	[TUNNEL_STT] = 0,
};

#define IPV6_EXTRA_OVERHEAD 20 /* an outer IPv6 header is 20 bytes longer */
#define WIREGUARD_OVERHEAD 60  /* replaces the tunnel's deduction */
#define IPSEC_ESP_OVERHEAD 38  /* added to the tunnel's deduction */

static int lookup_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcasecmp(names[i], s))
			return (int)i;
	}
	return -EINVAL;
}

int policy_parse_mode(const char *s, enum traffic_mode *out)
{
	int i = lookup_name(mode_names, ARRAY_LEN(mode_names), s);

	if (i < 0)
		return i;
	*out = (enum traffic_mode)i;
	return 0;
}

int policy_parse_tunnel(const char *s, enum tunnel_type *out)
{
	int i = lookup_name(tunnel_names, ARRAY_LEN(tunnel_names), s);

	if (i < 0)
		return i;
	*out = (enum tunnel_type)i;
	return 0;
}

int policy_parse_encryption(const char *s, enum encryption_mode *out)
{
	int i = lookup_name(encryption_names, ARRAY_LEN(encryption_names), s);

	if (i < 0)
		return i;
	*out = (enum encryption_mode)i;
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

const char *policy_encryption_name(enum encryption_mode mode)
{
	return encryption_names[mode];
}

unsigned int policy_tunnel_overhead(enum tunnel_type tunnel)
{
	return tunnel_overhead[tunnel];
}

static bool mode_encapsulates(enum traffic_mode mode)
{
	return mode == MODE_ENCAP || mode == MODE_HYBRID;
}

unsigned int policy_mtu_deduction(const struct policy *p)
{
	unsigned int deduction = 0;

	if (mode_encapsulates(p->mode)) {
		deduction = policy_tunnel_overhead(p->tunnel);
		/* IPsec (ESP) wraps the tunnel's packets; it needs a tunnel. */
		if (p->encryption == ENCRYPTION_IPSEC)
			deduction += IPSEC_ESP_OVERHEAD;
	}
	/* WireGuard encrypts in every mode and replaces the tunnel's share. */
	if (p->encryption == ENCRYPTION_WIREGUARD)
		deduction = WIREGUARD_OVERHEAD;
	/* Over an IPv6 transport the outer header is 20 bytes longer. */
	if ((mode_encapsulates(p->mode) || p->encryption == ENCRYPTION_WIREGUARD) && p->ipv6)
		deduction += IPV6_EXTRA_OVERHEAD;
	return deduction;
}

static unsigned int minus(unsigned int mtu, unsigned int deduction)
{
	return mtu > deduction ? mtu - deduction : 0;
}

unsigned int policy_expected_pod_mtu(const struct policy *p, unsigned int transport_mtu)
{
	if (p->default_mtu)
		return p->default_mtu;
	return minus(transport_mtu, policy_mtu_deduction(p));
}

unsigned int policy_path_mtu(const struct policy *p, unsigned int uplink_mtu)
{
	return minus(uplink_mtu, policy_mtu_deduction(p));
}

void policy_describe_deduction(const struct policy *p, char *buf, size_t size)
{
	if (!policy_mtu_deduction(p))
		snprintf(buf, size, "%s", "");
	else if (p->encryption == ENCRYPTION_WIREGUARD)
		snprintf(buf, size, "wireGuard%s", p->ipv6 ? ", IPv6" : "");
	else
		snprintf(buf, size, "%s %s%s%s", policy_mode_name(p->mode),
			 policy_tunnel_name(p->tunnel), p->ipv6 ? ", IPv6" : "",
			 p->encryption == ENCRYPTION_IPSEC ? ", IPsec" : "");
}
