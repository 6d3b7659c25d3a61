/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Doing something inside another network namespace: on a thread of its
 * own that enters it (setns(2) changes only the calling thread), so that
 * the rest of the process stays where it is. Needs CAP_SYS_ADMIN (setns)
 * and the capabilities the work itself needs in that netns. Used where the
 * kernel offers no IFLA_TARGET_NETNSID (setting a link's MTU: the kernel
 * answers EINVAL to it on RTM_NEWLINK for an existing link, 6.18 here).
 */
#ifndef MTUGUARD_NETNS_H
#define MTUGUARD_NETNS_H

/* Opens NETNS_RUN_DIR/@name, and checks that it is the netns our netns
 * knows as @nsid (a name reused by a newer netns is not it): the fd, or
 * -errno (-ESTALE when it is another netns). */
int netns_open(const char *name, int nsid);
/* Runs @fn(@arg) inside the netns @fd; its result, or -errno when the
 * netns cannot be entered. */
int netns_run(int fd, int (*fn)(void *arg), void *arg);

#endif
