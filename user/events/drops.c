// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "events/drops.h"

#include <stdlib.h>
#include <string.h>

#include "report/output.h"

void drop_watch_init(struct drop_watch *d, int drops_fd, bool json)
{
	memset(d, 0, sizeof(*d));
	d->fd = drops_fd;
	d->json = json;
}

static __u64 reported(const struct drop_watch *d, const char *iface)
{
	size_t i;

	for (i = 0; i < d->n_seen; i++) {
		if (!strcmp(d->seen[i].iface, iface))
			return d->seen[i].packets;
	}
	return 0;
}

void drop_watch_tick(struct drop_watch *d)
{
	time_t now = time(NULL);
	struct drop_row *rows;
	size_t n, i;

	if (d->fd < 0 || now == d->checked || drops_rows(d->fd, &rows, &n))
		return;
	d->checked = now;
	for (i = 0; i < n; i++) {
		__u64 before = reported(d, rows[i].iface);

		if (rows[i].packets > before)
			output_confirmed_drops(rows[i].iface, rows[i].packets - before,
					       rows[i].packets, d->json);
	}
	free(d->seen);
	d->seen = rows;
	d->n_seen = n;
}

void drop_watch_free(struct drop_watch *d)
{
	free(d->seen);
	d->seen = NULL;
	d->n_seen = 0;
}
