/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Following the node: an rtnetlink socket subscribed to link, address and
 * route events, in our netns and (NETLINK_LISTEN_ALL_NSID) in every netns we hold
 * an nsid for, which includes every Pod's. The watch polls its fd beside the
 * ring buffer's; a buffer overrun (ENOBUFS) means events were lost and the
 * caller resyncs once.
 */
#ifndef MTUGUARD_MONITOR_H
#define MTUGUARD_MONITOR_H

#include "node/netlink.h"

enum monitor_kind {
	MON_LINK_NEW, /* a link appeared or changed (MTU, peer, state) */
	MON_LINK_DEL,
	MON_ADDR,  /* an address was added or removed */
	MON_ROUTE, /* a route was added, changed or removed (re-read them all) */
};

struct monitor_event {
	enum monitor_kind kind;
	int nsid; /* NL_OWN_NETNS for our netns, else the Pod netns' id */
	int ifindex;
	struct nl_link link; /* MON_LINK_*: the link as the kernel describes it */
};

typedef void (*monitor_cb)(const struct monitor_event *ev, void *ctx);

struct mnl_socket;

/* Opens the subscribed socket; NULL and errno on failure. */
struct mnl_socket *monitor_open(void);
int monitor_fd(struct mnl_socket *nl);
/* Reads every pending message without blocking, calling @cb per event.
 * Returns 0, or -ENOBUFS when the kernel dropped events (resync). */
int monitor_read(struct mnl_socket *nl, monitor_cb cb, void *ctx);
void monitor_close(struct mnl_socket *nl);

#endif
