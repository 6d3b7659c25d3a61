// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/assist.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "assist.skel.h"
#include "datapath/bpffs.h"
#include "lib/log.h"

/* Every map the assist declares that the observer has too is the
 * observer's (reused by fd); its own are pinned when asked. */
static int share_maps(struct assist_bpf *a, struct bpf_object *observer, const char *pin_dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map(map, a->obj)
	{
		struct bpf_map *theirs;
		int err;

		if (bpf_map__is_internal(map))
			continue;
		theirs = bpf_object__find_map_by_name(observer, bpf_map__name(map));
		if (theirs) {
			err = bpf_map__reuse_fd(map, bpf_map__fd(theirs));
			if (err)
				return err;
			continue;
		}
		if (!pin_dir)
			continue;
		pin_path(path, sizeof(path), pin_dir, bpf_map__name(map));
		if (bpf_map__set_pin_path(map, path))
			return -ENOMEM;
	}
	return 0;
}

struct assist_bpf *assist_load(struct bpf_object *observer, const struct assist_opts *o)
{
	struct assist_bpf *a = assist_bpf__open();
	int err;

	if (!a) {
		pr_err("cannot open the assist's BPF object: %s", strerror(errno));
		return NULL;
	}
	a->rodata->assist_silent_sources = o->silent_sources;
	a->rodata->assist_answer = o->answer;
	if (o->interval_ns)
		a->rodata->assist_interval_ns = o->interval_ns;
	err = share_maps(a, observer, o->pin_dir);
	if (!err)
		err = assist_bpf__load(a);
	if (err) {
		pr_err("cannot load the assist's BPF programs: %s (run with -vv for the verifier's "
		       "log)",
		       strerror(-err));
		assist_bpf__destroy(a);
		return NULL;
	}
	return a;
}

void assist_destroy(struct assist_bpf *a)
{
	if (a)
		assist_bpf__destroy(a);
}

int assist_in_fd(const struct assist_bpf *a)
{
	return bpf_program__fd(a->progs.mg_assist_in);
}

int assist_out_fd(const struct assist_bpf *a)
{
	return bpf_program__fd(a->progs.mg_assist_out);
}

int assist_counts_fd(const struct assist_bpf *a)
{
	return bpf_map__fd(a->maps.mg_assist_counts);
}
