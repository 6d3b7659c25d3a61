// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `mtuguard stats`: the exact counters a running or past watch pinned. */
#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/bpffs.h"
#include "lib/cli.h"
#include "cmd/commands.h"
#include "datapath/counters.h"
#include "lib/log.h"
#include "report/output.h"
#include "podid/podid.h"
#include "podid/registry.h"
#include "report/summary.h"

static const char stats_help[] =
	"Usage: mtuguard stats [OPTIONS]\n"
	"\n"
	"Print the exact per-interface counters of a running or past `mtuguard watch`,\n"
	"read from the maps it pinned: per Pod veth and hook, the packets over the\n"
	"limit (too_big: DF or IPv6, lost; too_big_fragmentable: IPv4 without DF),\n"
	"ICMP too-big messages, packets that fit, and frames skipped (not IP or\n"
	"truncated); then the programs' own health (samples sent, ring-buffer losses).\n"
	"The same maps can be read with bpftool: bpftool map dump pinned DIR/mg_counters\n"
	"\n";

static const char stats_help_outro[] =
	"\n"
	"Exit status: 0 success, 2 error (nothing pinned at DIR, no privileges).\n";

static const struct opt_def stats_defs[] = {
	{ "cni-cache", 0, "DIR",
	  "name Pods from the container runtime's libcni cache\n(default " DEFAULT_CNI_CACHE ")" },
};

static int stats_option(void *ctx, const struct opt_def *opt, const char *arg)
{
	(void)opt;
	*(const char **)ctx = arg;
	return 0;
}

/* Whether the map behind @fd has the key and value sizes this build reads:
 * the kernel writes value_size bytes per CPU into our buffer, so maps
 * pinned by another version (a larger struct) would overrun it. */
static bool map_matches(int fd, const char *path, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		pr_err("cannot read what %s is: %s", path, strerror(errno));
		return false;
	}
	if (info.key_size == key_size && info.value_size == value_size)
		return true;
	pr_err("the maps in %s are from another version of mtuguard (%s holds %u-byte values, "
	       "this one reads %u): use that version's stats, or `mtuguard detach` them",
	       path, info.name, info.value_size, value_size);
	return false;
}

static int open_pinned(const char *pin_dir, const char *name, __u32 key_size, __u32 value_size)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		int err = -errno;

		if (err == -ENOENT)
			pr_err("nothing pinned at %s: run `mtuguard watch` first, or pass the "
			       "--pin it used",
			       path);
		else
			pr_err("cannot open %s: %s%s", path, strerror(-err),
			       err == -EPERM || err == -EACCES ? " (run as root)" : "");
		return err;
	}
	if (!map_matches(fd, path, key_size, value_size)) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

/* A map that only some kernels have (mg_drops): -1 when absent, quietly. */
static int open_pinned_optional(const char *pin_dir, const char *name, __u32 value_size)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd >= 0 && !map_matches(fd, path, sizeof(__u32), value_size)) {
		close(fd);
		return -1;
	}
	return fd;
}

int cmd_stats(int argc, char **argv)
{
	const char *cni_dir = DEFAULT_CNI_CACHE;
	struct common_opts common;
	struct opt_group groups[2];
	struct mg_counters *rows = NULL;
	struct summary_row *summary = NULL;
	struct pod_table cache = {};
	__u64 stats[MG_STAT_MAX];
	int counters_fd = -1, stats_fd = -1, drops_fd = -1, fast_fd = -1, assist_fd = -1;
	int ret = EXIT_ERROR;
	size_t n = 0;

	cli_common_init(&common, "one JSON document on stdout", MG_DEFAULT_PIN_DIR,
			"where the watch pinned its maps (default " MG_DEFAULT_PIN_DIR ")");
	groups[0] = (struct opt_group){ .title = "Options",
					.defs = OPT_DEFS(stats_defs),
					.handle = stats_option,
					.ctx = &cni_dir };
	groups[1] = cli_common_group(&common, "Output");
	ret = options_parse("stats", argc, argv, groups, 2);
	if (ret == CLI_HELP) {
		fputs(stats_help, stdout);
		options_print_help(stdout, groups, 2);
		fputs(stats_help_outro, stdout);
		return EXIT_OK;
	}
	if (ret)
		return EXIT_ERROR;
	ret = EXIT_ERROR;
	cli_apply_common(&common);
	if (pin_dir_check(common.pin_dir) == -EINVAL)
		return EXIT_ERROR;

	counters_fd = open_pinned(common.pin_dir, MG_MAP_COUNTERS, sizeof(__u32),
				  sizeof(struct mg_counters));
	if (counters_fd < 0)
		goto out;
	stats_fd = open_pinned(common.pin_dir, MG_MAP_STATS, sizeof(__u32), sizeof(__u64));
	if (stats_fd < 0)
		goto out;
	if (cni_cache_load(cni_dir, &cache) && cache.n == 0)
		pr_info("no CNI cache at %s/results; Pods are shown by interface", cni_dir);
	/* Absent where an older watch pinned the maps (no fast path then). */
	fast_fd = open_pinned_optional(common.pin_dir, MG_MAP_FAST_COUNTS,
				       sizeof(struct mg_fast_count));
	if (counters_read(counters_fd, fast_fd, 0, &rows, &n) || stats_read(stats_fd, stats) ||
	    summary_build(rows, n, NULL, NULL, &cache, NULL, &summary)) {
		pr_err("cannot read the pinned counters in %s", common.pin_dir);
		goto out;
	}
	drops_fd = open_pinned_optional(common.pin_dir, MG_MAP_DROPS, sizeof(__u64));
	assist_fd = open_pinned_optional(common.pin_dir, MG_MAP_ASSIST_COUNTS,
					 sizeof(struct mg_assist_counts));
	summary_add_assist(summary, n, assist_fd, counters_fd);
	summary_print(summary, n, stats, drops_fd, "stats", common.json);
	ret = EXIT_OK;
out:
	if (counters_fd >= 0)
		close(counters_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	if (drops_fd >= 0)
		close(drops_fd);
	if (fast_fd >= 0)
		close(fast_fd);
	if (assist_fd >= 0)
		close(assist_fd);
	free(rows);
	free(summary);
	pod_table_free(&cache);
	return ret;
}
