/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rtnetlink queries (libmnl): links, addresses, the default route and
 * network-namespace ids. Every query can target another netns by its nsid
 * (IFLA_TARGET_NETNSID / IFA_TARGET_NETNSID, kernel 5.0+), which is how the
 * Pod end of a veth is read without entering the Pod's namespace.
 * Functions return 0 or a negative errno.
 */
#ifndef MTUGUARD_NETLINK_H
#define MTUGUARD_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/netlink.h>
#include <linux/types.h>

#include "mtuguard.h"

#define NL_OWN_NETNS (-1) /* nsid argument: the caller's own namespace */

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[16]; /* IFLA_INFO_KIND: "veth", "bridge", ... ("" for a NIC) */
	unsigned int mtu;
	int peer_ifindex; /* IFLA_LINK (veth peer), 0 when absent */
	int peer_netnsid; /* IFLA_LINK_NETNSID, -1 when the peer is in our netns */
	int master;	  /* IFLA_MASTER (bridge), 0 when none */
	bool up;
};

struct nl_addr {
	int ifindex;
	struct mg_addr addr;
	unsigned char prefixlen;
	unsigned char scope; /* RT_SCOPE_* */
};

/* A unicast route of the main table. */
struct nl_route {
	struct mg_addr dst; /* the prefix (family set; zero for a default route) */
	unsigned char dst_len;
	int oif;		/* the device it leaves by (a multipath route: its first hop's) */
	struct mg_addr gateway; /* its next hop (RTA_GATEWAY), family 0 when on-link */
	unsigned int mtu;	/* its mtu metric (RTAX_MTU), 0 when it has none */
};

/* The link of @links[@n] with @ifindex, or named @name; NULL when none. */
const struct nl_link *nl_link_by_index(const struct nl_link *links, size_t n, int ifindex);
const struct nl_link *nl_link_by_name(const struct nl_link *links, size_t n, const char *name);
/* Fills @link from an RTM_NEWLINK/RTM_DELLINK message. */
void nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *link);
/* Dumps every link of the netns @nsid; *links is malloc'd. */
int nl_dump_links(int nsid, struct nl_link **links, size_t *n);
/* Reads one link of netns @nsid by ifindex. */
int nl_get_link(int nsid, int ifindex, struct nl_link *out);
/* Dumps the addresses of both families in netns @nsid; *addrs is malloc'd. */
int nl_dump_addrs(int nsid, struct nl_addr **addrs, size_t *n);
/* Sets the MTU of @ifindex in the calling thread's netns; -errno as the
 * kernel says it. (Not by IFLA_TARGET_NETNSID: the kernel refuses it on a
 * set, EINVAL on 6.18. Another netns: node/netns.h.) */
int nl_set_mtu(int ifindex, unsigned int mtu);
/* Dumps the unicast routes of the main table of our netns, both families;
 * *routes is malloc'd. */
int nl_dump_routes(struct nl_route **routes, size_t *n);
/* The ifindex the main table's default route leaves through (IPv4 first,
 * then IPv6), or -ENOENT. */
int nl_default_route_ifindex(void);
/* The nsid our netns gave to the netns behind @netns_fd, or -ENOENT. */
int nl_nsid_of_netns_fd(int netns_fd);

#endif
