/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The capabilities a watch needs, checked before anything else, and the
 * ones it keeps once attached. Loading needs CAP_BPF (or CAP_SYS_ADMIN
 * before 5.8) and CAP_PERFMON: without it the verifier refuses the TC
 * programs ("pointer comparison prohibited": they test the skb pointer
 * they share with XDP) and the kfree_skb tracepoint; attaching needs
 * CAP_NET_ADMIN. Following the node afterwards needs only CAP_BPF (new
 * links and pins) and CAP_NET_ADMIN (TCX/clsact on new veths, reading Pod
 * ends by nsid).
 */
#ifndef MTUGUARD_PRIVILEGES_H
#define MTUGUARD_PRIVILEGES_H

#include <stdbool.h>

/* Reports and returns -EPERM, naming what is missing, when this process
 * may not load and attach mtuguard's programs. */
int privileges_check(void);
/* Whether this process holds CAP_NET_BROADCAST, which an rtnetlink socket
 * needs at its opening to receive events from other namespaces. */
bool privileges_net_broadcast(void);
/* Keeps only CAP_BPF and CAP_NET_ADMIN, for good (no_new_privs too). */
int privileges_drop(void);

#endif
