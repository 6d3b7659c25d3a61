// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/takeover.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath/bpffs.h"
#include "datapath/counters.h"
#include "lib/log.h"
#include "mtuguard.h"

static bool dir_has_entries(const char *pin_dir, const char *sub)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	pin_path(path, sizeof(path), pin_dir, sub);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}

/* The earlier watch's mg_node entry; all zero when unknown (no pin, or a
 * value of another size: a build from before MG_ABI_VERSION). */
static struct mg_node_cfg pinned_node_cfg(const char *pin_dir)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	struct mg_node_cfg cfg = {};
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), pin_dir, MG_MAP_NODE);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return cfg;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.value_size != sizeof(cfg) ||
	    bpf_map_lookup_elem(fd, &zero, &cfg))
		memset(&cfg, 0, sizeof(cfg));
	close(fd);
	return cfg;
}

__u64 takeover_pinned_build(const char *pin_dir)
{
	return pinned_node_cfg(pin_dir).build_hash;
}

bool takeover_possible(const char *pin_dir)
{
	__u32 abi;

	if (!dir_has_entries(pin_dir, MG_PIN_LINKS_SUBDIR) &&
	    !dir_has_entries(pin_dir, MG_PIN_PROGS_SUBDIR))
		return false; /* nothing attached: a fresh start, fresh counts */
	abi = pinned_node_cfg(pin_dir).abi_version;
	if (abi == MG_ABI_VERSION)
		return true;
	pr_warn("the hooks in %s are another mtuguard version's (map ABI %u, this one's %u): "
		"replacing them, so the node is not watched until this watch has attached, and "
		"its counts start from zero",
		pin_dir, abi, MG_ABI_VERSION);
	return false;
}

int takeover_seed_slots(struct slot_pool *pool, int ifaces_fd, int counters_fd)
{
	__u32 key, next, *prev = NULL, slot;
	struct mg_iface_cfg cfg;
	int err;

	while (!bpf_map_get_next_key(ifaces_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(ifaces_fd, &key, &cfg) || cfg.slot >= MG_MAX_IFACES)
			continue;
		slots_seed(pool, cfg.slot, (int)key, true,
			   cfg.role == MG_ROLE_POD ? cfg.pod_mtu : 0);
	}
	/* Slots are handed out in order, so the used ones are the first:
	 * up to the first whose counters nobody ever owned. */
	for (slot = 0; slot < MG_MAX_IFACES; slot++) {
		struct mg_counters sum;

		err = counters_sum(counters_fd, -1, mg_counter_index(slot, MG_HOOK_POD_INGRESS),
				   &sum);
		if (err)
			return err;
		if (!sum.id.ifindex)
			break;
		if (slot >= pool->used || pool->slots[slot].state == SLOT_FREE)
			slots_seed(pool, slot, (int)sum.id.ifindex, false, 0);
	}
	return 0;
}
