// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "node/monitor.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A node creating many Pods at once sends bursts; a large buffer keeps
 * them, and an overrun is still caught (ENOBUFS) and resynced. */
#define MONITOR_RCVBUF (4 << 20)

struct mnl_socket *monitor_open(void)
{
	static const unsigned int groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					       RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
					       RTNLGRP_IPV6_ROUTE };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int one = 1, size = MONITOR_RCVBUF;
	size_t i;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, (void *)&groups[i],
					  sizeof(groups[i])) < 0)
			goto fail;
	}
	/* Events from the Pods' namespaces too (kernel 4.20+); best effort. */
	mnl_socket_setsockopt(nl, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one));
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN, which a watch has. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return nl;
fail:
	mnl_socket_close(nl);
	return NULL;
}

int monitor_fd(struct mnl_socket *nl)
{
	return mnl_socket_get_fd(nl);
}

struct dispatch {
	monitor_cb cb;
	void *ctx;
	int nsid;
};

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch *d = data;
	struct monitor_event ev = { .nsid = d->nsid };

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		ev.kind = nlh->nlmsg_type == RTM_NEWLINK ? MON_LINK_NEW : MON_LINK_DEL;
		nl_parse_link(nlh, &ev.link);
		ev.ifindex = ev.link.ifindex;
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		ev.kind = MON_ADDR;
		ev.ifindex = (int)((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_index;
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		ev.kind = MON_ROUTE;
		break;
	default:
		return MNL_CB_OK;
	}
	d->cb(&ev, d->ctx);
	return MNL_CB_OK;
}

/* The netns a message came from: the NETLINK_LISTEN_ALL_NSID control
 * message, absent for our own netns. */
static int message_nsid(struct msghdr *msg)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID) {
			int nsid;

			memcpy(&nsid, CMSG_DATA(c), sizeof(nsid));
			return nsid;
		}
	}
	return NL_OWN_NETNS;
}

int monitor_read(struct mnl_socket *nl, monitor_cb cb, void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	char cbuf[CMSG_SPACE(sizeof(int))];

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct dispatch d = { .cb = cb, .ctx = ctx };
		ssize_t n = recvmsg(mnl_socket_get_fd(nl), &msg, 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno; /* ENOBUFS: the kernel dropped events */
		}
		d.nsid = message_nsid(&msg);
		mnl_cb_run(buf, (size_t)n, 0, 0, on_message, &d);
	}
}

void monitor_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}
