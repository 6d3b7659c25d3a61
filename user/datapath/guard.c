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

#include "datapath/assist.h"
#include "datapath/bpffs.h"
#include "datapath/kernel.h"
#include "datapath/takeover.h"
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
	 * exited with --keep-attached, or died: take them and their maps
	 * over, so that the node stays watched and the counts go on. */
	if (takeover_possible(g->pin_dir)) {
		attach_takeover_begin(&g->attached);
		return 0;
	}
	/* Hooks that cannot be taken over are replaced rather than doubled.
	 * Maps alone are what a watch that stopped cleanly keeps for
	 * `stats`: no warning. */
	err = detach_leftovers(g->pin_dir, &hooks);
	if (!err)
		err = pin_dir_remove(g->pin_dir, &maps, false);
	if (err) {
		pr_err("cannot clear what an earlier watch left in %s: %s", g->pin_dir,
		       strerror(-err));
		return err;
	}
	if (hooks)
		pr_warn("replaced %d links and filters an earlier mtuguard left attached in %s",
			hooks, g->pin_dir);
	else if (maps)
		pr_info("replaced the %d maps an earlier watch kept in %s for `mtuguard stats`",
			maps, g->pin_dir);
	return 0;
}

/* Every map but the read-only data: what `stats` and bpftool read, and
 * what a watch that takes over reuses (the programs it may reuse with them
 * know no others). */
static int pin_maps(struct guard *g)
{
	char path[PATH_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map(map, g->skel->obj)
	{
		if (bpf_map__is_internal(map))
			continue;
		pin_path(path, sizeof(path), g->pin_dir, bpf_map__name(map));
		if (bpf_map__set_pin_path(map, path))
			return -ENOMEM;
	}
	return 0;
}

/* Back to a fresh start: the earlier watch's hooks and maps go. */
static void give_up_takeover(struct guard *g)
{
	int removed = 0;

	g->attached.taking_over = false;
	detach_leftovers(g->pin_dir, &removed);
	pin_dir_remove(g->pin_dir, &removed, false);
}

/* Whether every map pinned for this object has the type and sizes the
 * object declares: what libbpf requires to reuse it (else the load fails). */
static bool pinned_maps_fit(const struct guard *g)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, g->skel->obj)
	{
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		const char *path = bpf_map__pin_path(map);
		bool fit;
		int fd;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue; /* not pinned: created afresh */
		fit = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == bpf_map__type(map) &&
		      info.key_size == bpf_map__key_size(map) &&
		      info.value_size == bpf_map__value_size(map) &&
		      info.max_entries == bpf_map__max_entries(map) &&
		      info.map_flags == bpf_map__map_flags(map);
		close(fd);
		if (!fit)
			return false;
	}
	return true;
}

static int open_and_load(struct guard *g, const struct guard_opts *opts)
{
	int err;

	g->skel = mtuguard_bpf__open();
	if (!g->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
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
	/* With pin paths set, libbpf reuses the maps pinned there (an
	 * earlier watch's, taken over) or pins the new ones. */
	err = pin_maps(g);
	if (err)
		return err;
	if (g->attached.taking_over && !pinned_maps_fit(g)) {
		pr_warn("the maps pinned in %s have other sizes than this build's: replacing the "
			"earlier watch's hooks and maps (its counts start from zero)",
			g->pin_dir);
		give_up_takeover(g);
	}
	progs_init(&g->progs, g->skel);
	if (g->attached.taking_over &&
	    progs_reuse(&g->progs, g->skel, g->pin_dir, takeover_pinned_build(g->pin_dir)))
		pr_debug("the earlier watch's programs are this build's: reusing them");
	err = mtuguard_bpf__load(g->skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			pr_err("permission denied loading BPF programs: run as root, or with "
			       "CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN");
		else
			pr_err("cannot load the BPF programs: %s (run with -vv for the "
			       "verifier's log)",
			       strerror(-err));
		mtuguard_bpf__destroy(g->skel);
		g->skel = NULL;
	}
	return err;
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

	err = open_and_load(g, opts);
	if (err)
		goto fail;
	if (g->attached.taking_over) {
		err = takeover_seed_slots(&g->slots, bpf_map__fd(g->skel->maps.mg_ifaces),
					  bpf_map__fd(g->skel->maps.mg_counters));
		if (err) {
			pr_err("cannot read the earlier watch's counter slots: %s", strerror(-err));
			goto fail;
		}
	}
	err = progs_loaded(&g->progs, g->skel, g->pin_dir);
	if (err)
		goto fail;
	if (opts->assist) {
		struct assist_opts ao = *opts->assist;

		ao.pin_dir = g->pin_dir;
		ao.reuse = g->attached.taking_over;
		g->assist = assist_load(g->skel->obj, &ao);
		if (!g->assist) {
			err = -EINVAL;
			goto fail;
		}
	}
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

	err = attach_tc(&g->attached, g->progs.fd[GUARD_PROG_POD_INGRESS], pod->ifindex,
			pod->ifname, true, "pod_ingress");
	if (!err)
		err = attach_tc(&g->attached, g->progs.fd[GUARD_PROG_POD_EGRESS], pod->ifindex,
				pod->ifname, false, "pod_egress");
	/* The assist right after the observer, which has counted the packet
	 * by the time the assist answers (and drops) it. */
	if (!err && g->assist)
		err = attach_tcx_after(&g->attached, assist_in_fd(g->assist), pod->ifindex,
				       pod->ifname, true, "assist_ingress",
				       g->progs.fd[GUARD_PROG_POD_INGRESS]);
	if (!err && g->assist)
		err = attach_tcx_after(&g->attached, assist_out_fd(g->assist), pod->ifindex,
				       pod->ifname, false, "assist_egress",
				       g->progs.fd[GUARD_PROG_POD_EGRESS]);
	if (err)
		attach_release_ifindex(&g->attached, pod->ifindex);
	return err;
}

/* Every hook is attached or taken over: the earlier watch's others go. */
static int take_over_end(struct guard *g)
{
	size_t taken = g->attached.taken_over;
	int removed = 0, err;

	if (!g->attached.taking_over)
		return 0;
	err = attach_takeover_end(&g->attached, &removed);
	if (err) {
		pr_err("cannot remove the earlier watch's other hooks in %s: %s", g->pin_dir,
		       strerror(-err));
		return err;
	}
	pr_info("took over %zu hooks an earlier watch left attached in %s (its counts go on); "
		"removed %d on interfaces gone since",
		taken, g->pin_dir, removed);
	return 0;
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
	return take_over_end(g);
fail:
	guard_detach(g);
	return err;
}

int guard_attach_uplink(struct guard *g, const struct node *node)
{
	const struct nl_link *fabric = node_fabric_link(node);

	if (g->uplink_xdp)
		return attach_xdp(&g->attached, g->progs.fd[GUARD_PROG_UPLINK_XDP], fabric->ifindex,
				  fabric->name);
	return attach_tc(&g->attached, g->progs.fd[GUARD_PROG_UPLINK_TC], fabric->ifindex,
			 fabric->name, true, "uplink_ingress");
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

void guard_keep(struct guard *g)
{
	attach_keep(&g->attached);
	g->kept = true;
}

void guard_unpin(struct guard *g)
{
	int removed = 0;

	guard_detach(g); /* the link pins go with the links */
	/* A take-over that failed half way: what is left of the earlier
	 * watch's hooks goes too, so that a refusal leaves nothing. */
	attach_takeover_end(&g->attached, &removed);
	if (g->lock_fd >= 0)
		pin_dir_remove(g->pin_dir, &removed, true);
}

void guard_close(struct guard *g)
{
	guard_detach(g);
	/* Its filters are gone: its programs' pins have nothing to tell
	 * (kept, they tell the next watch which filters it takes over). */
	if (g->lock_fd >= 0 && !g->kept)
		pin_progs_remove(g->pin_dir);
	bpf_link__destroy(g->drops_link);
	g->drops_link = NULL;
	progs_close(&g->progs);
	assist_destroy(g->assist);
	g->assist = NULL;
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

int guard_assist_counts_fd(const struct guard *g)
{
	return g->assist ? assist_counts_fd(g->assist) : -1;
}
