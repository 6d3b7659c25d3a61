// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "node/nsnames.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/text.h"
#include "node/netlink.h"

static const struct nsname *lookup(const struct nsnames *c, int nsid)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].nsid == nsid)
			return &c->v[i];
	}
	return NULL;
}

static const struct nsname *seen(const struct nsnames *c, const char *name, ino_t ino)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].ino == ino && !strcmp(c->v[i].name, name))
			return &c->v[i];
	}
	return NULL;
}

/* The nsid of the netns behind @path, asked of the kernel (-1 if none). */
static int ask_nsid(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), nsid;

	if (fd < 0)
		return -1;
	nsid = nl_nsid_of_netns_fd(fd);
	close(fd);
	return nsid < 0 ? -1 : nsid;
}

/* Rebuilds the list from the directory: files seen before keep their
 * answer, new ones are asked, vanished ones are dropped. A netns the
 * kernel had no nsid for is asked again (it may have one now). */
static void rescan(struct nsnames *c)
{
	struct nsname *fresh = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(NETNS_RUN_DIR);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const struct nsname *old;
		struct nsname *e;
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(fresh->name))
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st))
			continue;
		e = ARRAY_PUSH(fresh, n);
		if (!e)
			break;
		old = seen(c, de->d_name, st.st_ino);
		e->ino = st.st_ino;
		e->nsid = old && old->nsid >= 0 ? old->nsid : ask_nsid(path);
		snprintf(e->name, sizeof(e->name), "%s", de->d_name);
		text_clean(e->name);
	}
	closedir(d);
	free(c->v);
	c->v = fresh;
	c->n = n;
}

const char *nsnames_find(struct nsnames *c, int nsid)
{
	const struct nsname *hit = lookup(c, nsid);

	if (!hit) {
		rescan(c);
		hit = lookup(c, nsid);
	}
	return hit ? hit->name : NULL;
}

void nsnames_free(struct nsnames *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
