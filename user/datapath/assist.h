/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading the PMTUD assist (bpf/assist.bpf.c), the one part of mtuguard
 * that acts on traffic, opt-in: its programs share the observer's maps (the
 * same limits, by the same names) and pin their own beside them. Its
 * programs are pinned under <pin>/progs with their fingerprint in the name
 * (mg_assist_in@<hex>), so that a watch taking over from one built and
 * configured alike reuses them rather than verifying its own (2.2 s).
 */
#ifndef MTUGUARD_ASSIST_H
#define MTUGUARD_ASSIST_H

#include <stdbool.h>

#include <linux/types.h>

struct assist_bpf;
struct bpf_object;

struct assist {
	struct assist_bpf *skel;
	int in_fd, out_fd; /* the programs: the skeleton's, or the pins' (reused) */
	bool reused;
};

struct assist_opts {
	/* Bit (1 << enum mg_limit_source) where a packet over the limit is
	 * dropped without an ICMP error (the CNI module says). */
	__u32 silent_sources;
	bool answer;	     /* --assist; false: --clamp-mss only */
	__u64 interval_ns;   /* one answer per (Pod, destination) per this */
	const char *pin_dir; /* where its own maps and programs are pinned; NULL: not */
	bool reuse;	     /* taking over: the pinned programs, when they are these */
};

/* Opens and loads the assist over @observer's maps (loaded already).
 * NULL after saying why. */
struct assist *assist_load(struct bpf_object *observer, const struct assist_opts *o);
void assist_destroy(struct assist *a);
int assist_in_fd(const struct assist *a);
int assist_out_fd(const struct assist *a);
int assist_counts_fd(const struct assist *a);

#endif
