// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtnetlink, whole: links, addresses, routes, nsids. Longer than the other
 * files on purpose: every query shares the one transact/dump machinery and
 * the attribute parsers at the top, which splitting the file would have to
 * export to the rest of the tree.
 */
#include "node/netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/array.h"
#include "lib/text.h"

/* Dumps of a busy node's links come in pages this large. */
#define NL_RECV_BUF 32768

typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Sends one request and feeds every reply message to @cb until the kernel
 * says done (dump) or acks (single). Strict checking is turned on so that
 * the kernel honours the target-netns attribute of address dumps (it is
 * ignored otherwise) and rejects a request it does not understand instead
 * of silently answering another question.
 */
static int nl_transact(struct nlmsghdr *nlh, nl_msg_cb cb, void *data)
{
	struct mnl_socket *nl;
	unsigned int portid, seq;
	char *buf;
	int one = 1;
	int ret, err = 0;

	buf = malloc(NL_RECV_BUF);
	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl) {
		err = -errno;
		goto out_free;
	}
	/* Best effort: kernels before 4.20 lack it and answer loosely. */
	mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	/* A dump ends with NLMSG_DONE; a single request needs the ack to end. */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out_close;
	}
	for (;;) {
		ret = mnl_socket_recvfrom(nl, buf, NL_RECV_BUF);
		if (ret < 0) {
			err = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, seq, portid, cb, data);
		if (ret < 0) {
			err = -errno;
			break;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
out_close:
	mnl_socket_close(nl);
out_free:
	free(buf);
	return err;
}

/* An array the dump callbacks fill, of elements of @size bytes, and the
 * first error they met (a callback cannot return one through libmnl). */
struct vec {
	void *items;
	size_t n, size;
	int err;
};

/* Hands the items over on success, frees them on error. */
static int vec_finish(struct vec *v, int err, void **items, size_t *n)
{
	if (!err)
		err = v->err;
	if (err) {
		free(v->items);
		return err;
	}
	*items = v->items;
	*n = v->n;
	return 0;
}

static void *vec_push(struct vec *v)
{
	char *items = array_grow(v->items, v->n, v->size);

	if (!items) {
		v->err = -ENOMEM;
		return NULL;
	}
	v->items = items;
	return items + v->n++ * v->size;
}

/* Indexes the attributes after a @hdrlen-byte header into tb[0..max].
 * Attributes newer than the headers we were built with are ignored. */
static void parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
			int max)
{
	const struct nlattr *attr;

	mnl_attr_for_each (attr, nlh, hdrlen) {
		int type = mnl_attr_get_type(attr);

		if (type <= max)
			tb[type] = attr;
	}
}

static void parse_nested(const struct nlattr *nest, const struct nlattr **tb, int max)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested (attr, nest) {
		int type = mnl_attr_get_type(attr);

		if (type <= max)
			tb[type] = attr;
	}
}

const struct nl_link *nl_link_by_index(const struct nl_link *links, size_t n, int ifindex)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (links[i].ifindex == ifindex)
			return &links[i];
	}
	return NULL;
}

const struct nl_link *nl_link_by_name(const struct nl_link *links, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(links[i].name, name))
			return &links[i];
	}
	return NULL;
}

void nl_parse_link(const struct nlmsghdr *nlh, struct nl_link *link)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	parse_attrs(nlh, sizeof(*ifm), tb, IFLA_MAX);
	link->ifindex = ifm->ifi_index;
	link->up = !!(ifm->ifi_flags & IFF_UP);
	link->peer_netnsid = -1;
	if (tb[IFLA_IFNAME])
		snprintf(link->name, sizeof(link->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	/* The kernel allows control characters in names: never print them. */
	text_clean(link->name);
	if (tb[IFLA_MTU])
		link->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINK])
		link->peer_ifindex = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		link->peer_netnsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_MASTER])
		link->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *info[IFLA_INFO_MAX + 1] = {};

		parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
		if (info[IFLA_INFO_KIND])
			snprintf(link->kind, sizeof(link->kind), "%s",
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}
}

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *v = data;
	struct nl_link *link;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	link = vec_push(v);
	if (!link)
		return MNL_CB_ERROR;
	nl_parse_link(nlh, link);
	return MNL_CB_OK;
}

static struct nlmsghdr *put_link_request(char *buf, int nsid, int ifindex, bool dump)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = dump ? NLM_F_DUMP : 0;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (nsid != NL_OWN_NETNS)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (__u32)nsid);
	return nlh;
}

int nl_dump_links(int nsid, struct nl_link **links, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct vec v = { .size = sizeof(struct nl_link) };
	int err;

	err = nl_transact(put_link_request(buf, nsid, 0, true), link_dump_cb, &v);
	return vec_finish(&v, err, (void **)links, n);
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		nl_parse_link(nlh, data);
	return MNL_CB_OK;
}

int nl_get_link(int nsid, int ifindex, struct nl_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(out, 0, sizeof(*out));
	return nl_transact(put_link_request(buf, nsid, ifindex, false), link_get_cb, out);
}

int nl_set_mtu(int ifindex, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK; /* on an existing link: setlink */
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_transact(nlh, NULL, NULL);
}

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFA_MAX + 1] = {};
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct vec *v = data;
	struct nl_addr *addr;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	/* IFA_LOCAL is the interface's own address on point-to-point links,
	 * where IFA_ADDRESS is the peer's. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	len = ifa->ifa_family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(a) < len)
		return MNL_CB_OK;
	addr = vec_push(v);
	if (!addr)
		return MNL_CB_ERROR;
	addr->ifindex = (int)ifa->ifa_index;
	addr->prefixlen = ifa->ifa_prefixlen;
	addr->scope = ifa->ifa_scope;
	addr->addr.family = ifa->ifa_family;
	memcpy(addr->addr.addr, mnl_attr_get_payload(a), len);
	return MNL_CB_OK;
}

int nl_dump_addrs(int nsid, struct nl_addr **addrs, size_t *n)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct vec v = { .size = sizeof(struct nl_addr) };
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(families) / sizeof(families[0]) && !err; i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifaddrmsg *ifa;

		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_DUMP;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = families[i];
		if (nsid != NL_OWN_NETNS)
			mnl_attr_put_u32(nlh, IFA_TARGET_NETNSID, (__u32)nsid);
		err = nl_transact(nlh, addr_dump_cb, &v);
		/* A kernel without IPv6 answers EAFNOSUPPORT: not an error. */
		if (err == -EAFNOSUPPORT)
			err = 0;
	}
	return vec_finish(&v, err, (void **)addrs, n);
}

static bool in_main_table(const struct rtmsg *rtm, const struct nlattr **tb)
{
	if (tb[RTA_TABLE])
		return mnl_attr_get_u32(tb[RTA_TABLE]) == RT_TABLE_MAIN;
	return rtm->rtm_table == RT_TABLE_MAIN;
}

/* The first hop's device of a multipath route. */
static int first_hop_oif(const struct nlattr *multipath)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(multipath);

	if (mnl_attr_get_payload_len(multipath) < sizeof(*nh))
		return 0;
	return nh->rtnh_ifindex;
}

static int route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {}, *mx[RTAX_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct vec *v = data;
	struct nl_route *r;
	size_t alen = rtm->rtm_family == AF_INET6 ? 16 : 4;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (!in_main_table(rtm, tb) || rtm->rtm_dst_len > alen * 8)
		return MNL_CB_OK;
	if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
		return MNL_CB_OK;
	r = vec_push(v);
	if (!r)
		return MNL_CB_ERROR;
	memset(r, 0, sizeof(*r));
	r->dst.family = rtm->rtm_family;
	if (tb[RTA_DST])
		memcpy(r->dst.addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	r->dst_len = rtm->rtm_dst_len;
	if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == alen) {
		r->gateway.family = rtm->rtm_family;
		memcpy(r->gateway.addr, mnl_attr_get_payload(tb[RTA_GATEWAY]), alen);
	}
	if (tb[RTA_OIF])
		r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	else if (tb[RTA_MULTIPATH])
		r->oif = first_hop_oif(tb[RTA_MULTIPATH]);
	if (tb[RTA_METRICS]) {
		parse_nested(tb[RTA_METRICS], mx, RTAX_MAX);
		if (mx[RTAX_MTU])
			r->mtu = mnl_attr_get_u32(mx[RTAX_MTU]);
	}
	return MNL_CB_OK;
}

int nl_dump_routes(struct nl_route **routes, size_t *n)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct vec v = { .size = sizeof(**routes) };
	size_t i;
	int err = 0;

	for (i = 0; i < sizeof(families) / sizeof(families[0]) && !err; i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtmsg *rtm;

		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = families[i];
		err = nl_transact(nlh, route_dump_cb, &v);
		if (err == -EAFNOSUPPORT)
			err = 0; /* a kernel without IPv6 */
	}
	return vec_finish(&v, err, (void **)routes, n);
}

static int default_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	int *ifindex = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST || *ifindex > 0)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	if (rtm->rtm_table != RT_TABLE_MAIN &&
	    !(tb[RTA_TABLE] && mnl_attr_get_u32(tb[RTA_TABLE]) == RT_TABLE_MAIN))
		return MNL_CB_OK;
	if (tb[RTA_OIF])
		*ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	return MNL_CB_OK;
}

int nl_default_route_ifindex(void)
{
	static const int families[] = { AF_INET, AF_INET6 };
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct rtmsg *rtm;
		int ifindex = 0;
		int err;

		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = families[i];
		err = nl_transact(nlh, default_route_cb, &ifindex);
		if (err && err != -EAFNOSUPPORT)
			return err;
		if (ifindex > 0)
			return ifindex;
	}
	return -ENOENT;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETNSA_MAX + 1] = {};
	int *nsid = data;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX);
	if (tb[NETNSA_NSID])
		*nsid = (int)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return MNL_CB_OK;
}

int nl_nsid_of_netns_fd(int netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *rt;
	int nsid = -1;
	int err;

	nlh->nlmsg_type = RTM_GETNSID;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (__u32)netns_fd);
	err = nl_transact(nlh, nsid_cb, &nsid);
	if (err)
		return err;
	return nsid >= 0 ? nsid : -ENOENT;
}
