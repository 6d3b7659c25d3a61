/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The programs the hooks run: loaded from the BPF object or, when a watch
 * takes over from an earlier one built and configured alike, that watch's
 * own, opened from their pins under <pin>/progs. Verifying the three TC
 * programs takes the kernel about 1.3 s, most of a restart; programs of the
 * same object and read-only data are the same programs.
 */
#ifndef MTUGUARD_PROGS_H
#define MTUGUARD_PROGS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

struct mtuguard_bpf;

enum guard_prog {
	GUARD_PROG_POD_INGRESS,
	GUARD_PROG_POD_EGRESS,
	GUARD_PROG_UPLINK_TC,
	GUARD_PROG_UPLINK_XDP,
	GUARD_PROG_MAX,
};

struct guard_progs {
	int fd[GUARD_PROG_MAX]; /* -1 where the program is not loaded */
	bool reused;		/* opened from the pins (ours to close) */
	__u64 build_hash;	/* of the object and its read-only data */
};

/* A fingerprint of a BPF object's bytes and its read-only data (never 0):
 * programs of equal fingerprints are the same programs. */
__u64 progs_fingerprint(const void *elf, size_t elf_size, const void *ro, size_t ro_size);
/* After the read-only data is set: what the programs are made of. */
void progs_init(struct guard_progs *p, const struct mtuguard_bpf *skel);
/* Before the load: when the earlier watch's @pinned_hash is this one's and
 * each program the object would load is pinned, opens those pins and
 * keeps the object from loading its own. */
bool progs_reuse(struct guard_progs *p, struct mtuguard_bpf *skel, const char *pin_dir,
		 __u64 pinned_hash);
/* After the load: the loaded programs' fds, pinned under <pin>/progs (the
 * earlier watch's pins replaced); reused ones are pinned already. */
int progs_loaded(struct guard_progs *p, struct mtuguard_bpf *skel, const char *pin_dir);
void progs_close(struct guard_progs *p);

#endif
