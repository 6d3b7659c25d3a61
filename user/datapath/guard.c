// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/guard.h"

/*
 * The guard's life: load (skeleton, rodata, map pins, the pin directory's
 * lock), attach (every hook or none), detach and close. Writing the maps
 * is configure.c's.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath/bpffs.h"
#include "datapath/kernel.h"
#include "lib/log.h"
#include "mtuguard.skel.h"

static int lock_pin_dir(struct guard *g)
{
	int hooks = 0, maps = 0;
	int fd, err;

	err = bpffs_prepare(g->pin_dir);
	if (err)
		return err;
	fd = pin_dir_lock(g->pin_dir, true);
	if (fd == -EBUSY) {
		pr_err("another mtuguard holds %s; stop it first, or give this one its own --pin",
		       g->pin_dir);
		return fd;
	}
	if (fd < 0) {
		pr_err("cannot lock %s: %s", g->pin_dir, strerror(-fd));
		return fd;
	}
	g->lock_fd = fd;

	/* Nobody holds the lock, so hooks pinned here belong to a watch that
	 * died: replace them rather than stack a second copy. Maps alone are
	 * what a watch that stopped cleanly keeps for `stats`: no warning. */
	err = detach_leftovers(g->pin_dir, &hooks);
	if (!err)
		err = pin_dir_remove(g->pin_dir, &maps, false);
	if (err) {
		pr_err("cannot clear what an earlier watch left in %s: %s", g->pin_dir,
		       strerror(-err));
		return err;
	}
	if (hooks)
		pr_warn("replaced %d links and filters an earlier mtuguard left attached "
			"(it did not detach) in %s",
			hooks, g->pin_dir);
	else if (maps)
		pr_info("replaced the %d maps an earlier watch kept in %s for `mtuguard stats`",
			maps, g->pin_dir);
	return 0;
}

static int pin_maps(struct guard *g)
{
	struct bpf_map *maps[] = {
		g->skel->maps.mg_ifaces,     g->skel->maps.mg_iface_spots, g->skel->maps.mg_node,
		g->skel->maps.mg_local_dsts, g->skel->maps.mg_counters,	   g->skel->maps.mg_flows,
		g->skel->maps.mg_stats,	     g->skel->maps.mg_drops,
	};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		pin_path(path, sizeof(path), g->pin_dir, bpf_map__name(maps[i]));
		if (bpf_map__set_pin_path(maps[i], path))
			return -ENOMEM;
	}
	return 0;
}

/* The TC programs pinned under <pin>/progs: what tells this directory's
 * clsact filters from another watch's (attach.h, detach_leftovers). */
static int pin_progs(struct guard *g)
{
	struct bpf_program *progs[] = { g->skel->progs.mg_pod_ingress, g->skel->progs.mg_pod_egress,
					g->skel->progs.mg_uplink_tc };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (!bpf_program__autoload(progs[i]))
			continue;
		pin_prog_path(path, sizeof(path), g->pin_dir, bpf_program__name(progs[i]));
		unlink(path); /* a dead watch's, already detached */
		if (bpf_program__pin(progs[i], path)) {
			int err = -errno;

			pr_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

int guard_load(struct guard *g, const struct guard_opts *opts)
{
	int err;

	memset(g, 0, sizeof(*g));
	slots_init(&g->slots);
	g->route_mtu_min = UINT32_MAX;
	g->lock_fd = -1;
	g->attached.mode = opts->attach_mode;
	g->attached.pin_dir = g->pin_dir;
	snprintf(g->pin_dir, sizeof(g->pin_dir), "%s", opts->pin_dir);

	err = kernel_check_btf();
	if (err)
		return err;
	err = lock_pin_dir(g);
	if (err)
		goto fail;

	g->skel = mtuguard_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	g->skel->rodata->sample_interval_ns = opts->sample_interval_ns;
	g->skel->rodata->node_netns_ino = kernel_own_netns_ino();
	if (!kernel_has_pkt_too_big_reason()) {
		pr_warn("this kernel has no SKB_DROP_REASON_PKT_TOO_BIG in its BTF: confirmed "
			"drops are not counted, predicted ones are");
		bpf_program__set_autoload(g->skel->progs.mg_kfree_skb, false);
	}
	/* Only the hooks asked for are loaded: XDP or TC on the uplink. */
	bpf_program__set_autoload(g->skel->progs.mg_uplink_xdp, opts->uplink_xdp);
	bpf_program__set_autoload(g->skel->progs.mg_uplink_tc, !opts->uplink_xdp);
	err = pin_maps(g);
	if (err)
		goto fail;
	err = mtuguard_bpf__load(g->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			pr_err("permission denied loading BPF programs: run as root, or with "
			       "CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN");
		else
			pr_err("cannot load the BPF programs: %s (run with -vv for the "
			       "verifier's log)",
			       strerror(-err));
		goto fail;
	}
	err = pin_progs(g);
	if (err)
		goto fail;
	if (bpf_program__autoload(g->skel->progs.mg_kfree_skb)) {
		g->drops_link = bpf_program__attach(g->skel->progs.mg_kfree_skb);
		if (!g->drops_link)
			pr_warn("cannot attach to the kfree_skb tracepoint (%s): confirmed drops "
				"are not counted",
				strerror(errno));
	}
	return 0;
fail:
	guard_close(g);
	return err;
}

int guard_attach_pod(struct guard *g, const struct pod_iface *pod)
{
	int err;

	err = attach_tc(&g->attached, bpf_program__fd(g->skel->progs.mg_pod_ingress), pod->ifindex,
			pod->ifname, true, "pod_ingress");
	if (!err)
		err = attach_tc(&g->attached, bpf_program__fd(g->skel->progs.mg_pod_egress),
				pod->ifindex, pod->ifname, false, "pod_egress");
	if (err)
		attach_release_ifindex(&g->attached, pod->ifindex);
	return err;
}

int guard_attach(struct guard *g, const struct node *node, bool uplink_xdp)
{
	struct progress progress;
	size_t i, done = 0, live = 0;
	int err;

	for (i = 0; i < node->n_pods; i++)
		live += !node->pods[i].gone;
	progress_begin(&progress, "attaching to Pods");
	for (i = 0; i < node->n_pods; i++) {
		const struct pod_iface *pod = &node->pods[i];

		if (pod->gone)
			continue;
		progress_step(&progress, done++, live);
		err = guard_attach_pod(g, pod);
		if (err == -ENODEV) {
			/* The Pod went away since discovery: nothing to watch. */
			pr_warn("%s vanished while attaching; skipping it", pod->ifname);
			continue;
		}
		if (err)
			goto fail;
	}
	progress_end(&progress, done);
	g->uplink_xdp = uplink_xdp;
	err = guard_attach_uplink(g, node);
	if (err)
		goto fail;
	return 0;
fail:
	guard_detach(g);
	return err;
}

int guard_attach_uplink(struct guard *g, const struct node *node)
{
	const struct nl_link *fabric = node_fabric_link(node);

	if (g->uplink_xdp)
		return attach_xdp(&g->attached, bpf_program__fd(g->skel->progs.mg_uplink_xdp),
				  fabric->ifindex, fabric->name);
	return attach_tc(&g->attached, bpf_program__fd(g->skel->progs.mg_uplink_tc),
			 fabric->ifindex, fabric->name, true, "uplink_ingress");
}

void guard_release_iface(struct guard *g, int ifindex)
{
	attach_release_ifindex(&g->attached, ifindex);
}

unsigned int guard_counter_entries(const struct guard *g)
{
	return g->slots.used * MG_COUNTERS_PER_IFACE;
}

void guard_detach(struct guard *g)
{
	attach_release(&g->attached);
}

void guard_unpin(struct guard *g)
{
	int removed = 0;

	guard_detach(g); /* the link pins go with the links */
	if (g->lock_fd >= 0)
		pin_dir_remove(g->pin_dir, &removed, true);
}

void guard_close(struct guard *g)
{
	guard_detach(g);
	/* Its filters are gone: its programs' pins have nothing to tell. */
	if (g->lock_fd >= 0)
		pin_progs_remove(g->pin_dir);
	bpf_link__destroy(g->drops_link);
	g->drops_link = NULL;
	if (g->skel) {
		mtuguard_bpf__destroy(g->skel);
		g->skel = NULL;
	}
	if (g->lock_fd >= 0) {
		close(g->lock_fd);
		g->lock_fd = -1;
	}
}

int guard_map_fd(const struct guard *g, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(g->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

int guard_drops_fd(const struct guard *g)
{
	return g->drops_link ? bpf_map__fd(g->skel->maps.mg_drops) : -1;
}

int guard_events_fd(const struct guard *g)
{
	return bpf_map__fd(g->skel->maps.mg_events);
}
