// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/array.h"
#include "datapath/bpffs.h"
#include "lib/log.h"
#include "mtuguard.h"
#include "node/netlink.h"

/*
 * TCX (kernel 6.6) postdates the uapi headers of Debian 12 (6.1) and its
 * libbpf 1.1, which has no bpf_program__attach_tcx: the values come from
 * include/uapi/linux/bpf.h of 6.6 and are stable ABI. With BPF_F_BEFORE and
 * no relative program, bpf_link_create puts ours first in the chain.
 */
#define MG_BPF_TCX_INGRESS 46
#define MG_BPF_TCX_EGRESS 47
#define MG_BPF_F_BEFORE (1U << 3)

static const char *const kind_names[] = {
	[KIND_TCX] = "tcx",
	[KIND_TC] = "tc",
	[KIND_XDP] = "xdp",
};

const char *attach_kind_name(enum attach_kind kind)
{
	return kind_names[kind];
}

int attach_parse_mode(const char *s, enum attach_mode *out)
{
	if (!strcmp(s, "auto"))
		*out = ATTACH_AUTO;
	else if (!strcmp(s, "tcx"))
		*out = ATTACH_TCX;
	else if (!strcmp(s, "tc"))
		*out = ATTACH_TC;
	else
		return -EINVAL;
	return 0;
}

/*
 * "<hook>@<ifname>". bpffs refuses names with a dot (reserved), which VLAN
 * interfaces have (eth0.100); a colon never appears in an interface name,
 * so replacing dots with colons cannot make two names collide.
 */
static void link_pin_name(char *buf, size_t size, const char *hook, const char *ifname)
{
	char *c;

	snprintf(buf, size, "%s@%s", hook, ifname);
	for (c = buf; *c; c++) {
		if (*c == '.')
			*c = ':';
	}
}

/* Records a link in @set; with @pin_it, pins it at @pin first so that it
 * outlives us if we die (a link taken over is pinned there already). */
static int keep_link(struct attach_set *set, enum attach_kind kind, int link_fd, int ifindex,
		     const char *ifname, bool ingress, const char *pin, bool pin_it)
{
	struct attachment *a = ARRAY_PUSH(set->items, set->n);
	int err;

	if (!a) {
		close(link_fd);
		return -ENOMEM;
	}
	a->kind = kind;
	a->ifindex = ifindex;
	a->ingress = ingress;
	a->link_fd = link_fd;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	snprintf(a->pin, sizeof(a->pin), "%s", pin);
	if (pin_it && bpf_obj_pin(link_fd, a->pin)) {
		err = -errno;
		pr_err("cannot pin the %s link of %s at %s: %s", kind_names[kind], ifname, a->pin,
		       strerror(-err));
		a->pin[0] = '\0';
		return err;
	}
	return 0;
}

/*
 * bpf_link_info's union postdates Debian 12's uapi headers for TCX (6.6):
 * its tcx member is { ifindex, attach_type } and xdp's is { ifindex }, so
 * the ifindex is the union's first word for both. Stable ABI, as above.
 */
#define MG_BPF_LINK_TYPE_XDP 6
#define MG_BPF_LINK_TYPE_TCX 11

static void unpin_link(int fd, const char *pin)
{
	bpf_link_detach(fd);
	if (unlink(pin) && errno != ENOENT)
		pr_warn("cannot remove %s: %s", pin, strerror(errno));
}

/*
 * Takes over the link an earlier watch pinned for this hook, if there is
 * one and it still holds this interface: its program is replaced in place.
 * 0 when taken over, 1 when there is nothing to take over (attach anew),
 * or an error.
 */
static int take_over_link(struct attach_set *set, enum attach_kind kind, int prog_fd, int ifindex,
			  const char *ifname, bool ingress, const char *pin)
{
	__u32 type = kind == KIND_XDP ? MG_BPF_LINK_TYPE_XDP : MG_BPF_LINK_TYPE_TCX;
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_obj_get(pin);
	if (fd < 0)
		return 1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != type ||
	    info.xdp.ifindex != (__u32)ifindex) {
		/* An interface of that name that went away, or another hook:
		 * the earlier watch's, and no longer anything's. */
		unpin_link(fd, pin);
		close(fd);
		return 1;
	}
	if (bpf_link_update(fd, prog_fd, NULL)) {
		pr_warn("cannot take over the %s link of %s (%s); attaching anew", kind_names[kind],
			ifname, strerror(errno));
		unpin_link(fd, pin);
		close(fd);
		return 1;
	}
	set->taken_over++;
	return keep_link(set, kind, fd, ifindex, ifname, ingress, pin, false);
}

/*
 * A TCX link placed right after the program @after_fd (BPF_F_AFTER): the
 * relative_fd field of BPF_LINK_CREATE's tcx member (6.6) is not in
 * libbpf 1.1's bpf_link_create(), so the attribute is laid out here as
 * the kernel's union bpf_attr has it (stable ABI).
 */
#define MG_BPF_F_AFTER (1U << 4)
struct mg_tcx_link_create {
	__u32 prog_fd;
	__u32 target_ifindex;
	__u32 attach_type;
	__u32 flags;
	__u32 relative_fd;
	__u32 pad;
	__u64 expected_revision;
};

static int tcx_link_create_after(int prog_fd, int ifindex, __u32 type, int after_fd)
{
	struct mg_tcx_link_create attr = { .prog_fd = (__u32)prog_fd,
					   .target_ifindex = (__u32)ifindex,
					   .attach_type = type,
					   .flags = MG_BPF_F_AFTER,
					   .relative_fd = (__u32)after_fd };
	long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));

	return fd < 0 ? -1 : (int)fd;
}

/* Attaches a link with @type and @flags (or, with @after_fd >= 0, right
 * after that program), or takes over the earlier watch's. */
static int attach_link(struct attach_set *set, enum attach_kind kind, int prog_fd, int ifindex,
		       const char *ifname, bool ingress, const char *hook,
		       enum bpf_attach_type type, __u32 flags, int after_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	char name[64], pin[PATH_MAX];
	int fd, err;

	link_pin_name(name, sizeof(name), hook, ifname);
	pin_link_path(pin, sizeof(pin), set->pin_dir, name);
	if (set->taking_over) {
		err = take_over_link(set, kind, prog_fd, ifindex, ifname, ingress, pin);
		if (err <= 0)
			return err;
	}
	if (after_fd >= 0)
		fd = tcx_link_create_after(prog_fd, ifindex, type, after_fd);
	else
		fd = bpf_link_create(prog_fd, ifindex, type, &opts);
	if (fd < 0)
		return -errno;
	return keep_link(set, kind, fd, ifindex, ifname, ingress, pin, true);
}

static int attach_tcx(struct attach_set *set, int prog_fd, int ifindex, const char *ifname,
		      bool ingress, const char *hook)
{
	return attach_link(set, KIND_TCX, prog_fd, ifindex, ifname, ingress, hook,
			   ingress ? MG_BPF_TCX_INGRESS : MG_BPF_TCX_EGRESS, MG_BPF_F_BEFORE, -1);
}

static bool prog_is_ours(const struct prog_ids *ours, __u32 prog_id)
{
	size_t i;

	for (i = 0; i < ours->n; i++) {
		if (ours->ids[i] == prog_id)
			return true;
	}
	return false;
}

/* Whether the filter at our handle and priority on this hook runs one of
 * @ours (an earlier watch's programs, or this directory's). */
static bool filter_runs_one_of(const struct prog_ids *ours, int ifindex, bool ingress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MG_TC_HANDLE, .priority = MG_TC_PRIORITY);

	/* Fails when there is no clsact, or no filter at our handle. */
	return !bpf_tc_query(&hook, &opts) && prog_is_ours(ours, opts.prog_id);
}

static int attach_clsact(struct attach_set *set, int prog_fd, int ifindex, const char *ifname,
			 bool ingress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MG_TC_HANDLE, .priority = MG_TC_PRIORITY,
		    .prog_fd = prog_fd);
	bool replace = set->taking_over && filter_runs_one_of(&set->inherited, ifindex, ingress);
	struct attachment *a;
	int err;

	/* The clsact qdisc may be the CNI's: create it if absent, never
	 * replace or (on release) destroy it. */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	/* The earlier watch's filter is swapped in one change, never
	 * removed first: no packet passes unobserved. */
	if (replace)
		opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	set->taken_over += replace;
	a = ARRAY_PUSH(set->items, set->n);
	if (!a)
		return -ENOMEM;
	a->kind = KIND_TC;
	a->ifindex = ifindex;
	a->ingress = ingress;
	a->link_fd = -1;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	return 0;
}

int attach_tc(struct attach_set *set, int prog_fd, int ifindex, const char *ifname, bool ingress,
	      const char *hook)
{
	const char *dir = ingress ? "ingress" : "egress";
	int err;

	if (set->mode != ATTACH_TC) {
		err = attach_tcx(set, prog_fd, ifindex, ifname, ingress, hook);
		/* EINVAL: the kernel does not know the TCX attach type. */
		if (err == -EINVAL && set->mode == ATTACH_AUTO) {
			pr_info("kernel has no TCX links; attaching clsact filters "
				"(handle 0x%x, priority %d)",
				MG_TC_HANDLE, MG_TC_PRIORITY);
			set->mode = ATTACH_TC;
		} else {
			if (!err)
				set->mode = ATTACH_TCX;
			else
				pr_err("cannot attach a TCX link at %s %s: %s%s", ifname, dir,
				       strerror(-err),
				       err == -EINVAL ? " (TCX needs kernel 6.6+; try --attach tc)"
						      : "");
			return err;
		}
	}
	err = attach_clsact(set, prog_fd, ifindex, ifname, ingress);
	if (err == -EEXIST)
		pr_err("a tc filter at handle 0x%x priority %d already sits on %s %s; "
		       "run `mtuguard detach` if an earlier mtuguard left it",
		       MG_TC_HANDLE, MG_TC_PRIORITY, ifname, dir);
	else if (err)
		pr_err("cannot attach a clsact filter at %s %s: %s", ifname, dir, strerror(-err));
	return err;
}

int attach_tcx_after(struct attach_set *set, int prog_fd, int ifindex, const char *ifname,
		     bool ingress, const char *hook, int after_fd)
{
	int err;

	err = attach_link(set, KIND_TCX, prog_fd, ifindex, ifname, ingress, hook,
			  ingress ? MG_BPF_TCX_INGRESS : MG_BPF_TCX_EGRESS, 0, after_fd);
	if (err)
		pr_err("cannot attach the assist at %s %s: %s", ifname,
		       ingress ? "ingress" : "egress", strerror(-err));
	return err;
}

int attach_xdp(struct attach_set *set, int prog_fd, int ifindex, const char *ifname)
{
	int err;

	err = attach_link(set, KIND_XDP, prog_fd, ifindex, ifname, true, "uplink_xdp", BPF_XDP,
			  XDP_FLAGS_DRV_MODE, -1);
	if (err) {
		if (err == -EOPNOTSUPP)
			pr_err("the driver of %s has no native XDP; drop --uplink-xdp to watch "
			       "it with the TC hook",
			       ifname);
		else if (err == -EBUSY || err == -EEXIST)
			pr_err("another XDP program is attached to %s and mtuguard never replaces "
			       "one; drop --uplink-xdp to watch it with the TC hook",
			       ifname);
		else
			pr_err("cannot attach native XDP to %s: %s", ifname, strerror(-err));
	}
	return err;
}

static void release_one(struct attachment *a)
{
	if (a->kind == KIND_TC) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
			    .attach_point = a->ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MG_TC_HANDLE, .priority = MG_TC_PRIORITY);
		int err = bpf_tc_detach(&hook, &opts);

		/* ENODEV/ENOENT: the interface went away, and the filter with it. */
		if (err && err != -ENODEV && err != -ENOENT && err != -EINVAL)
			pr_warn("cannot remove the tc filter of %s: %s", a->ifname, strerror(-err));
		return;
	}
	if (a->link_fd >= 0) {
		/* Detach explicitly: closing is not enough while the pin or
		 * another process holds the link. */
		if (bpf_link_detach(a->link_fd) && errno != ENOLINK && errno != ENODEV)
			pr_debug("detaching the link of %s: %s", a->ifname, strerror(errno));
		close(a->link_fd);
	}
	if (a->pin[0] && unlink(a->pin) && errno != ENOENT)
		pr_warn("cannot remove %s: %s", a->pin, strerror(errno));
}

void attach_release(struct attach_set *set)
{
	size_t total = set->n;
	struct progress progress;

	progress_begin(&progress, "detaching hooks");
	while (set->n) {
		progress_step(&progress, total - set->n, total);
		release_one(&set->items[--set->n]);
	}
	progress_end(&progress, total);
	free(set->items);
	set->items = NULL;
}

void attach_keep(struct attach_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (set->items[i].link_fd >= 0)
			close(set->items[i].link_fd);
	}
	set->n = 0;
	free(set->items);
	set->items = NULL;
}

void attach_release_ifindex(struct attach_set *set, int ifindex)
{
	size_t i = set->n;

	while (i--) {
		if (set->items[i].ifindex != ifindex)
			continue;
		release_one(&set->items[i]);
		memmove(&set->items[i], &set->items[i + 1],
			(set->n - i - 1) * sizeof(set->items[0]));
		set->n--;
	}
}

static bool held(const struct attach_set *set, const char *pin)
{
	size_t i;

	for (i = 0; set && i < set->n; i++) {
		if (!strcmp(set->items[i].pin, pin))
			return true;
	}
	return false;
}

/* Detaches and unpins the links pinned under <pin_dir>/links, but for
 * those @keep (may be NULL) holds. */
static int detach_pinned_links(const char *pin_dir, const struct attach_set *keep, int *removed)
{
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *d;

	pin_path(dir, sizeof(dir), pin_dir, MG_PIN_LINKS_SUBDIR);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (held(keep, path))
			continue;
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bpf_link_detach(fd);
			close(fd);
		}
		if (unlink(path))
			pr_warn("cannot remove %s: %s", path, strerror(errno));
		else
			(*removed)++;
	}
	closedir(d);
	return 0;
}

void pinned_prog_ids(const char *pin_dir, struct prog_ids *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	out->n = 0;
	pin_path(dir, sizeof(dir), pin_dir, MG_PIN_PROGS_SUBDIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && out->n < sizeof(out->ids) / sizeof(out->ids[0])) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, MG_PROG_PREFIX, strlen(MG_PROG_PREFIX)))
			out->ids[out->n++] = info.id;
		close(fd);
	}
	closedir(d);
}

/* Removes our clsact filter from one hook of one interface, if there and
 * running one of @ours. */
static int detach_filter(const struct prog_ids *ours, int ifindex, bool ingress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	/* bpf_tc_detach wants only handle and priority set. */
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = MG_TC_HANDLE, .priority = MG_TC_PRIORITY);

	if (!filter_runs_one_of(ours, ifindex, ingress))
		return 0;
	return bpf_tc_detach(&hook, &opts) ? 0 : 1;
}

/* Removes, on every interface of this netns, the clsact filters at our
 * handle and priority that run one of @ours. */
static int detach_filters(const struct prog_ids *ours, int *removed)
{
	struct nl_link *links;
	size_t n, i;
	int err;

	if (!ours->n)
		return 0; /* no filter can be this directory's */
	err = nl_dump_links(NL_OWN_NETNS, &links, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		*removed += detach_filter(ours, links[i].ifindex, true);
		*removed += detach_filter(ours, links[i].ifindex, false);
	}
	free(links);
	return 0;
}

int detach_leftovers(const char *pin_dir, int *removed)
{
	struct prog_ids ours;
	int err;

	err = detach_pinned_links(pin_dir, NULL, removed);
	if (err)
		return err;
	pinned_prog_ids(pin_dir, &ours);
	err = detach_filters(&ours, removed);
	if (!err)
		pin_progs_remove(pin_dir);
	return err;
}

void attach_takeover_begin(struct attach_set *set)
{
	set->taking_over = true;
	pinned_prog_ids(set->pin_dir, &set->inherited);
	set->taken_over = 0;
}

int attach_takeover_end(struct attach_set *set, int *removed)
{
	int err;

	if (!set->taking_over)
		return 0;
	set->taking_over = false;
	err = detach_pinned_links(set->pin_dir, set, removed);
	/* The filters taken over run our programs by now: what still runs
	 * an inherited one is on an interface no longer watched. */
	if (!err)
		err = detach_filters(&set->inherited, removed);
	return err;
}
