/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Attaching mtuguard's programs beside a CNI's, and removing exactly what
 * we attached. TC hooks are TCX links (kernel 6.6+) put first in the chain
 * with BPF_F_BEFORE, or clsact filters at our own handle and priority on
 * older kernels. The uplink can take a native-mode XDP link instead. Links
 * are pinned under <pin>/links/, so a watch that dies, or exits with
 * --keep-attached, leaves the node observed and `mtuguard detach` finds
 * and removes them.
 *
 * Taking over: a watch that starts over hooks an earlier one left swaps its
 * programs into them in place (BPF_LINK_UPDATE for a link, a replacing
 * tc filter for clsact), so that no packet goes unobserved between the two
 * watches and no RCU grace period is paid per link; what it does not take
 * over (interfaces gone meanwhile) is removed after it has attached.
 */
#ifndef MTUGUARD_ATTACH_H
#define MTUGUARD_ATTACH_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

enum attach_mode {
	ATTACH_AUTO = 0, /* TCX where the kernel has it, else clsact */
	ATTACH_TCX = 1,
	ATTACH_TC = 2,
};

enum attach_kind {
	KIND_TCX = 0,
	KIND_TC = 1,
	KIND_XDP = 2,
};

/* The ids of the TC programs of one pin directory's watch (pinned under
 * <pin>/progs): the only ones a clsact filter of that watch runs. */
struct prog_ids {
	__u32 ids[8];
	size_t n;
};

struct attachment {
	enum attach_kind kind;
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool ingress;
	int link_fd;	    /* TCX and XDP links; -1 for clsact filters */
	char pin[PATH_MAX]; /* the link's pin, "" for clsact filters */
};

struct attach_set {
	struct attachment *items;
	size_t n;
	enum attach_mode mode; /* AUTO until the first TC hook resolves it */
	const char *pin_dir;
	/* Taking over from an earlier watch (attach_takeover_begin/end):
	 * its pinned links and its filters, running @inherited, are reused;
	 * the guard reads it to reuse that watch's maps too. */
	bool taking_over;
	struct prog_ids inherited;
	size_t taken_over; /* hooks reused rather than attached anew */
};

int attach_parse_mode(const char *s, enum attach_mode *out);
const char *attach_kind_name(enum attach_kind kind);

/* Attaches a TC program at @ifindex's ingress or egress. @hook names the
 * link's pin. Errors are reported here, with what to do. */
int attach_tc(struct attach_set *set, int prog_fd, int ifindex, const char *ifname, bool ingress,
	      const char *hook);
/* Attaches a TC program with a TCX link right after the program @after_fd
 * at the same hook (the assist after the observer, both before the CNI's).
 * TCX only. Errors are reported here. */
int attach_tcx_after(struct attach_set *set, int prog_fd, int ifindex, const char *ifname,
		     bool ingress, const char *hook, int after_fd);
/* Attaches an XDP program in native (driver) mode; refuses generic mode and
 * never replaces a program already attached. */
int attach_xdp(struct attach_set *set, int prog_fd, int ifindex, const char *ifname);
/* Removes everything in @set, newest first. */
void attach_release(struct attach_set *set);
/* Lets go of everything in @set without detaching: the links stay pinned
 * and the filters in place, for the next watch (--keep-attached). */
void attach_keep(struct attach_set *set);

/* Before loading: the hooks pinned under the pin directory are to be taken
 * over where they fit; the ids of the earlier watch's programs are read
 * from <pin>/progs now, before this watch pins its own. */
void attach_takeover_begin(struct attach_set *set);
/* After attaching: removes the earlier watch's hooks not taken over, and
 * counts them in *@removed. */
int attach_takeover_end(struct attach_set *set, int *removed);
/* The ids of the programs pinned under <pin_dir>/progs. */
void pinned_prog_ids(const char *pin_dir, struct prog_ids *out);
/* Removes what is attached to @ifindex (a Pod that went away). */
void attach_release_ifindex(struct attach_set *set, int ifindex);

/* For `detach` and for a watch replacing a dead one: removes the links
 * pinned under <pin_dir>/links and, on every interface of this netns, the
 * clsact filters at our handle and priority that run a program pinned
 * under <pin_dir>/progs (another pin directory's watch is left alone). */
int detach_leftovers(const char *pin_dir, int *removed);

#endif
