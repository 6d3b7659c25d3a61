// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/guard.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datapath/bpffs.h"
#include "datapath/counters.h"
#include "datapath/ifaces.h"
#include "lib/log.h"
#include "mtuguard.skel.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

static int check_btf(void)
{
	if (!access(KERNEL_BTF, R_OK))
		return 0;
	pr_err("this kernel exposes no BTF at " KERNEL_BTF "; mtuguard's CO-RE programs need a "
	       "kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8 or later)");
	return -ENOENT;
}

/* Whether the kernel's BTF knows SKB_DROP_REASON_PKT_TOO_BIG (drop reasons
 * came in 5.17; this one is set by IP forwarding and Open vSwitch). */
static bool kernel_has_pkt_too_big_reason(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	bool found = false;
	__s32 id;
	int i;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t) && !found; i++, e++)
		found = !strcmp(btf__name_by_offset(btf, e->name_off),
				"SKB_DROP_REASON_PKT_TOO_BIG");
	btf__free(btf);
	return found;
}

static __u32 own_netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return !cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) && v == CAP_SET;
}

/* Networking BPF programs need CAP_BPF (or, before 5.8, CAP_SYS_ADMIN) and
 * CAP_NET_ADMIN; checked first so that an unprivileged run says so in one
 * sentence instead of failing halfway through bpffs. */
int guard_check_privileges(void)
{
	cap_t caps = cap_get_proc();
	bool ok;

	if (!caps)
		return 0; /* cannot tell: let the kernel decide */
	ok = (has_cap(caps, CAP_BPF) || has_cap(caps, CAP_SYS_ADMIN)) &&
	     has_cap(caps, CAP_NET_ADMIN);
	cap_free(caps);
	if (ok)
		return 0;
	pr_err("permission denied: watching needs root, or CAP_BPF, CAP_NET_ADMIN and "
	       "CAP_PERFMON (run with sudo)");
	return -EPERM;
}

int guard_drop_privileges(void)
{
	static const cap_value_t keep[] = { CAP_BPF, CAP_NET_ADMIN };
	cap_t caps = cap_init(); /* all clear */
	int err = 0;

	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_PERMITTED, 2, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 2, keep, CAP_SET) || cap_set_proc(caps))
		err = -errno;
	cap_free(caps);
	/* And no way back through exec of a setuid or file-capable binary. */
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err)
		pr_warn("cannot drop capabilities after attaching (%s); running with what it "
			"started with",
			strerror(-err));
	else
		pr_info("attached; keeping only CAP_BPF and CAP_NET_ADMIN");
	return err;
}

static int lock_pin_dir(struct guard *g)
{
	int removed = 0;
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

	/* Nobody holds the lock, so what is pinned here belongs to a watch
	 * that died: replace it rather than stack a second copy. */
	err = detach_leftovers(g->pin_dir, &removed);
	if (!err)
		err = pin_dir_remove(g->pin_dir, &removed, false);
	if (err) {
		pr_err("cannot clear what an earlier watch left in %s: %s", g->pin_dir,
		       strerror(-err));
		return err;
	}
	if (removed)
		pr_warn("replaced %d links, filters and pins an earlier mtuguard left in %s",
			removed, g->pin_dir);
	return 0;
}

static int pin_maps(struct guard *g)
{
	struct bpf_map *maps[] = {
		g->skel->maps.mg_ifaces,   g->skel->maps.mg_iface_spots, g->skel->maps.mg_node,
		g->skel->maps.mg_local_dsts,
		g->skel->maps.mg_counters, g->skel->maps.mg_flows, g->skel->maps.mg_stats,
		g->skel->maps.mg_drops,
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

int guard_load(struct guard *g, const struct guard_opts *opts)
{
	int err;

	memset(g, 0, sizeof(*g));
	slots_init(&g->slots);
	g->lock_fd = -1;
	g->attached.mode = opts->attach_mode;
	g->attached.pin_dir = g->pin_dir;
	snprintf(g->pin_dir, sizeof(g->pin_dir), "%s", opts->pin_dir);

	err = check_btf();
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
	g->skel->rodata->node_netns_ino = own_netns_ino();
	if (!kernel_has_pkt_too_big_reason()) {
		pr_warn("this kernel has no SKB_DROP_REASON_PKT_TOO_BIG in its BTF: confirmed "
			"drops "
			"are not counted, predicted ones are");
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
			       "CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON");
		else
			pr_err("cannot load the BPF programs: %s (run with -vv for the "
			       "verifier's log)",
			       strerror(-err));
		goto fail;
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

static int update(int fd, const void *key, const void *value, const char *what)
{
	if (!bpf_map_update_elem(fd, key, value, BPF_ANY))
		return 0;
	pr_err("cannot write %s into the BPF maps: %s", what, strerror(errno));
	return -errno;
}

/* Gives @ifindex its counter slot (zeroed counters for each of its @hooks
 * when the slot is new to it, so that stats and the summary list it even
 * when nothing crossed it; a Pod re-added on the same ifindex keeps
 * counting where it was) and returns the slot; *@fresh_out (if not NULL)
 * says whether the interface is new to this guard. */
static int claim_counters(struct guard *g, int ifindex, unsigned int pod_limit,
			  const enum mg_hook *hooks, int nhooks, bool *fresh_out)
{
	bool fresh;
	int slot, err;

	slot = slots_claim(&g->slots, ifindex, pod_limit, &fresh);
	if (fresh_out)
		*fresh_out = fresh;
	if (slot < 0) {
		pr_err("cannot watch more than %d interfaces at once", MG_MAX_IFACES);
		return slot;
	}
	if (!fresh)
		return slot;
	err = counters_reset(bpf_map__fd(g->skel->maps.mg_counters), (unsigned int)slot, ifindex,
			     hooks, nhooks);
	if (err) {
		pr_err("cannot write a counter into the BPF maps: %s", strerror(-err));
		return err;
	}
	return slot;
}

static struct iface_maps iface_maps(const struct guard *g)
{
	return (struct iface_maps){ .hash_fd = bpf_map__fd(g->skel->maps.mg_ifaces),
				    .spots_fd = bpf_map__fd(g->skel->maps.mg_iface_spots) };
}

static int write_iface(struct guard *g, int ifindex, const struct mg_iface_cfg *cfg,
		       const char *what)
{
	struct iface_maps maps = iface_maps(g);
	int err = ifaces_write(&maps, (__u32)ifindex, cfg);

	if (err)
		pr_err("cannot write %s into the BPF maps: %s", what, strerror(-err));
	return err;
}

/* Tells the programs the smallest limit of a live Pod (their fast path). */
static int update_pod_mtu_min(struct guard *g)
{
	struct mg_node_cfg cfg = { .pod_mtu_min = slots_pod_limit_min(&g->slots) };
	__u32 zero = 0;

	return update(bpf_map__fd(g->skel->maps.mg_node), &zero, &cfg, "the node's limits");
}

/* Drops the local-destination entries that point at @ifindex. */
static void forget_pod_addrs(struct guard *g, int ifindex)
{
	int fd = bpf_map__fd(g->skel->maps.mg_local_dsts);
	struct mg_addr key, next, *prev = NULL;
	struct mg_local_dst dst;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &dst) && dst.kind == MG_DST_POD &&
		    dst.ifindex == (__u32)ifindex) {
			/* Deleting the current key restarts the walk safely. */
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
			continue;
		}
		prev = &key;
	}
}

/* An interface no longer watched: out of the configuration maps (its
 * counters stay, in its retired slot). */
static void forget_iface(int ifindex, void *ctx)
{
	struct guard *g = ctx;
	struct iface_maps maps = iface_maps(g);

	ifaces_forget(&maps, (__u32)ifindex);
	forget_pod_addrs(g, ifindex);
}

/* Writes one Pod's role, limits and addresses into the maps. */
static int configure_pod(struct guard *g, const struct pod_iface *pod, unsigned int path_mtu)
{
	static const enum mg_hook pod_hooks[] = { MG_HOOK_POD_INGRESS, MG_HOOK_POD_EGRESS };
	unsigned int limit = policy_pod_limit(pod->host_mtu, pod->pod_mtu);
	struct mg_iface_cfg cfg = { .role = MG_ROLE_POD, .pod_mtu = limit, .path_mtu = path_mtu };
	int dsts = bpf_map__fd(g->skel->maps.mg_local_dsts);
	__u32 ifindex = (__u32)pod->ifindex;
	bool fresh;
	size_t a;
	int err, slot;

	slot = claim_counters(g, pod->ifindex, limit, pod_hooks, 2, &fresh);
	if (slot < 0)
		return slot;
	cfg.slot = (__u32)slot;
	/* The smaller limit first, its addresses after: the programs never
	 * take the fast path past a limit they may meet. */
	err = update_pod_mtu_min(g);
	if (!err)
		err = write_iface(g, pod->ifindex, &cfg, "a Pod interface");
	/* Addresses it had before (a refresh) go; a new one has none, and
	 * walking the map for each of a thousand Pods at start is slow. */
	if (!err && !fresh)
		forget_pod_addrs(g, pod->ifindex);
	for (a = 0; a < pod->n_addrs && !err; a++) {
		struct mg_local_dst dst = { .kind = MG_DST_POD, .ifindex = ifindex, .mtu = limit };

		err = update(dsts, &pod->addrs[a], &dst, "a Pod address");
	}
	return err;
}

int guard_configure(struct guard *g, const struct node *node, const struct policy *policy)
{
	static const enum mg_hook uplink_hooks[] = { MG_HOOK_UPLINK_INGRESS };
	int dsts = bpf_map__fd(g->skel->maps.mg_local_dsts);
	unsigned int path_mtu = policy_path_mtu(policy, node_egress_mtu(node));
	const struct nl_link *fabric = node_fabric_link(node);
	struct mg_iface_cfg cfg = { .role = MG_ROLE_UPLINK };
	size_t i;
	int err, slot;

	/* Interfaces not claimed again below (an uplink replaced, a Pod
	 * missed) give their slots back. */
	slots_sweep_begin(&g->slots);
	slot = claim_counters(g, fabric->ifindex, 0, uplink_hooks, 1, NULL);
	if (slot < 0)
		return slot;
	cfg.slot = (__u32)slot;
	err = write_iface(g, fabric->ifindex, &cfg, "the uplink");
	/* The node's own addresses first: a Pod address wins where both
	 * appear (a Pod's address is never the node's in practice). */
	for (i = 0; i < node->n_node_addrs && !err; i++) {
		struct mg_local_dst dst = { .kind = MG_DST_NODE };

		err = update(dsts, &node->node_addrs[i], &dst, "a node address");
	}
	for (i = 0; i < node->n_pods && !err; i++) {
		if (!node->pods[i].gone)
			err = configure_pod(g, &node->pods[i], path_mtu);
	}
	if (!err) {
		slots_sweep_end(&g->slots, forget_iface, g);
		err = update_pod_mtu_min(g);
	}
	return err;
}

static int attach_pod(struct guard *g, const struct pod_iface *pod)
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
	const struct nl_link *fabric;
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
		err = attach_pod(g, pod);
		if (err == -ENODEV) {
			/* The Pod went away since discovery: nothing to watch. */
			pr_warn("%s vanished while attaching; skipping it", pod->ifname);
			continue;
		}
		if (err)
			goto fail;
	}
	progress_end(&progress, done);
	fabric = node_fabric_link(node);
	if (uplink_xdp)
		err = attach_xdp(&g->attached, bpf_program__fd(g->skel->progs.mg_uplink_xdp),
				 fabric->ifindex, fabric->name);
	else
		err = attach_tc(&g->attached, bpf_program__fd(g->skel->progs.mg_uplink_tc),
				fabric->ifindex, fabric->name, true, "uplink_ingress");
	if (err)
		goto fail;
	return 0;
fail:
	guard_detach(g);
	return err;
}

int guard_add_pod(struct guard *g, const struct pod_iface *pod, unsigned int path_mtu)
{
	int err = configure_pod(g, pod, path_mtu);

	if (!err)
		err = attach_pod(g, pod);
	if (err)
		guard_remove_pod(g, pod);
	return err;
}

int guard_refresh_pod(struct guard *g, const struct pod_iface *pod, unsigned int path_mtu)
{
	return configure_pod(g, pod, path_mtu);
}

void guard_remove_pod(struct guard *g, const struct pod_iface *pod)
{
	attach_release_ifindex(&g->attached, pod->ifindex);
	forget_iface(pod->ifindex, g);
	/* Its limit no longer binds the fast path. */
	slots_retire(&g->slots, pod->ifindex);
	update_pod_mtu_min(g);
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
