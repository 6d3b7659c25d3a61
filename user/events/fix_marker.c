// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/fix_marker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void fix_marker_init(struct fix_marker *m, const char *state_dir)
{
	snprintf(m->lock, sizeof(m->lock), "%s/lock", state_dir);
	m->looked = false;
	fix_marker_poll(m); /* what was there before the watch is not news */
}

enum fix_state fix_marker_poll(struct fix_marker *m)
{
	enum fix_state state = FIX_NONE;
	struct stat st;
	int fd = open(m->lock, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0) {
		m->looked = true;
		return FIX_NONE;
	}
	if (flock(fd, LOCK_SH | LOCK_NB)) {
		state = errno == EWOULDBLOCK ? FIX_RUNNING : FIX_NONE;
	} else if (!fstat(fd, &st)) {
		if (m->looked &&
		    (st.st_mtim.tv_sec != m->seen.tv_sec || st.st_mtim.tv_nsec != m->seen.tv_nsec))
			state = FIX_DONE;
		m->seen = st.st_mtim;
	}
	close(fd); /* drops our shared lock */
	m->looked = true;
	return state;
}
