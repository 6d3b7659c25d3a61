/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The capabilities a watch needs, checked before anything else, and the
 * ones it keeps once attached. Loading and attaching need CAP_BPF (or
 * CAP_SYS_ADMIN before 5.8) and CAP_NET_ADMIN; the kfree_skb tracepoint
 * also needs CAP_PERFMON (or CAP_SYS_ADMIN), without which confirmed drops
 * are not counted but everything else works. Following the node afterwards
 * needs only CAP_BPF (new links and pins) and CAP_NET_ADMIN (TCX/clsact on
 * new veths, reading Pod ends by nsid).
 */
#ifndef MTUGUARD_PRIVILEGES_H
#define MTUGUARD_PRIVILEGES_H

#include <stdbool.h>

struct privileges {
	bool perfmon; /* may attach the kfree_skb tracepoint */
};

/* Reports and returns -EPERM when this process may not load and attach
 * networking BPF programs; fills @p with the optional ones it holds. */
int privileges_check(struct privileges *p);
/* Keeps only CAP_BPF and CAP_NET_ADMIN, for good (no_new_privs too). */
int privileges_drop(void);

#endif
