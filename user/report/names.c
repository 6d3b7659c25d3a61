// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report/names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

static const char *const hook_names[MG_HOOK_MAX] = {
	[MG_HOOK_POD_INGRESS] = "pod_ingress",
	[MG_HOOK_POD_EGRESS] = "pod_egress",
	[MG_HOOK_UPLINK_INGRESS] = "uplink_ingress",
};

static const char *const class_names[MG_CLASS_MAX] = {
	[MG_CLASS_TOO_BIG] = "too_big",
	[MG_CLASS_TOO_BIG_FRAGMENTABLE] = "too_big_fragmentable",
	[MG_CLASS_ICMP_TOO_BIG] = "icmp_too_big",
	[MG_CLASS_FITS] = "fits",
	[MG_CLASS_SKIPPED] = "skipped",
};

static const char *const limit_source_names[] = {
	[MG_LIMIT_NONE] = "none",
	[MG_LIMIT_PATH_MTU] = "path_mtu",
	[MG_LIMIT_LOCAL_POD] = "local_pod_mtu",
	[MG_LIMIT_POD_MTU] = "pod_mtu",
	[MG_LIMIT_ICMP] = "icmp_announced_mtu",
	[MG_LIMIT_ROUTE] = "route_mtu",
};

#define NAME_OR_UNKNOWN(table, i)                                                                  \
	((i) < sizeof(table) / sizeof((table)[0]) && (table)[i] ? (table)[i] : "unknown")

const char *hook_name(unsigned int hook)
{
	return NAME_OR_UNKNOWN(hook_names, hook);
}

const char *class_name(unsigned int class)
{
	return NAME_OR_UNKNOWN(class_names, class);
}

const char *limit_source_name(unsigned int source)
{
	return NAME_OR_UNKNOWN(limit_source_names, source);
}

const char *family_name(unsigned int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "unknown";
}

const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_ESP:
		return "esp";
	default:
		return "other";
	}
}

const char *addr_str(const struct mg_addr *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}
