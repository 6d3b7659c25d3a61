// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "node/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/netlink.h"
#include "node/nsnames.h"

int netns_open(const char *name, int nsid)
{
	char path[PATH_MAX];
	int fd;

	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (nl_nsid_of_netns_fd(fd) != nsid) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

struct netns_call {
	int fd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

static void *enter_and_run(void *p)
{
	struct netns_call *c = p;

	c->ret = setns(c->fd, CLONE_NEWNET) ? -errno : c->fn(c->arg);
	return NULL;
}

int netns_run(int fd, int (*fn)(void *arg), void *arg)
{
	struct netns_call c = { .fd = fd, .fn = fn, .arg = arg };
	pthread_t t;
	int err = pthread_create(&t, NULL, enter_and_run, &c);

	if (err)
		return -err;
	pthread_join(t, NULL);
	return c.ret;
}
