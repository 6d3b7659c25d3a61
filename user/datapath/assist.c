// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/assist.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assist.skel.h"
#include "datapath/bpffs.h"
#include "datapath/progs.h"
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

/* <pin>/progs/<name>@<fingerprint>. */
static void assist_pin_path(char *buf, size_t size, const char *pin_dir, const char *name,
			    __u64 fingerprint)
{
	char leaf[96];

	snprintf(leaf, sizeof(leaf), "%s@%016llx", name, (unsigned long long)fingerprint);
	pin_prog_path(buf, size, pin_dir, leaf);
}

/* The pinned programs of this fingerprint, when both are there. */
static bool reuse_pinned(struct assist *a, const char *pin_dir, __u64 fingerprint)
{
	char in[PATH_MAX], out[PATH_MAX];

	assist_pin_path(in, sizeof(in), pin_dir, bpf_program__name(a->skel->progs.mg_assist_in),
			fingerprint);
	assist_pin_path(out, sizeof(out), pin_dir, bpf_program__name(a->skel->progs.mg_assist_out),
			fingerprint);
	a->in_fd = bpf_obj_get(in);
	a->out_fd = bpf_obj_get(out);
	if (a->in_fd >= 0 && a->out_fd >= 0)
		return true;
	if (a->in_fd >= 0)
		close(a->in_fd);
	if (a->out_fd >= 0)
		close(a->out_fd);
	a->in_fd = a->out_fd = -1;
	return false;
}

/* Pins the loaded programs under their fingerprint; the earlier watch's
 * pins of other fingerprints go (their links hold them until updated). */
static int pin_loaded(struct assist *a, const char *pin_dir, __u64 fingerprint)
{
	struct bpf_program *progs[] = { a->skel->progs.mg_assist_in, a->skel->progs.mg_assist_out };
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *de;
	size_t i;
	DIR *d;

	pin_path(dir, sizeof(dir), pin_dir, MG_PIN_PROGS_SUBDIR);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, "mg_assist_", 10) && strchr(de->d_name, '@')) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		assist_pin_path(path, sizeof(path), pin_dir, bpf_program__name(progs[i]),
				fingerprint);
		if (bpf_program__pin(progs[i], path)) {
			int err = -errno;

			pr_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

struct assist *assist_load(struct bpf_object *observer, const struct assist_opts *o)
{
	struct assist *a = calloc(1, sizeof(*a));
	size_t elf_size = 0, ro_size = 0;
	__u64 fingerprint;
	const void *ro;
	int err;

	if (!a || !(a->skel = assist_bpf__open())) {
		pr_err("cannot open the assist's BPF object: %s", strerror(errno));
		free(a);
		return NULL;
	}
	a->in_fd = a->out_fd = -1;
	a->skel->rodata->assist_silent_sources = o->silent_sources;
	a->skel->rodata->assist_answer = o->answer;
	if (o->interval_ns)
		a->skel->rodata->assist_interval_ns = o->interval_ns;
	ro = bpf_map__initial_value(a->skel->maps.rodata, &ro_size);
	fingerprint = progs_fingerprint(assist_bpf__elf_bytes(&elf_size), elf_size, ro, ro_size);
	err = share_maps(a->skel, observer, o->pin_dir);
	if (!err && o->pin_dir && o->reuse && reuse_pinned(a, o->pin_dir, fingerprint)) {
		/* The maps are still loaded (shared or pinned); the programs
		 * are the earlier watch's. */
		bpf_program__set_autoload(a->skel->progs.mg_assist_in, false);
		bpf_program__set_autoload(a->skel->progs.mg_assist_out, false);
		a->reused = true;
	}
	if (!err)
		err = assist_bpf__load(a->skel);
	if (!err && !a->reused) {
		a->in_fd = bpf_program__fd(a->skel->progs.mg_assist_in);
		a->out_fd = bpf_program__fd(a->skel->progs.mg_assist_out);
		if (o->pin_dir)
			err = pin_loaded(a, o->pin_dir, fingerprint);
	}
	if (err) {
		pr_err("cannot load the assist's BPF programs: %s (run with -vv for the verifier's "
		       "log)",
		       strerror(-err));
		assist_destroy(a);
		return NULL;
	}
	return a;
}

void assist_destroy(struct assist *a)
{
	if (!a)
		return;
	if (a->reused) {
		close(a->in_fd);
		close(a->out_fd);
	}
	assist_bpf__destroy(a->skel);
	free(a);
}

int assist_in_fd(const struct assist *a)
{
	return a->in_fd;
}

int assist_out_fd(const struct assist *a)
{
	return a->out_fd;
}

int assist_counts_fd(const struct assist *a)
{
	return bpf_map__fd(a->skel->maps.mg_assist_counts);
}
